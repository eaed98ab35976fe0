#include "aurora/pipeline.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aggregator.hpp"
#include "aurora/procfs.hpp"
#include "aurora/unique_fd.hpp"
#include "bpf_stats.hpp"
#include "event_consumer.hpp"
#include "locality_loader.hpp"
#include "node_memory.hpp"
#include "process_info.hpp"
#include "scope_filter.hpp"
#include "system_checks.hpp"

namespace aurora {

using namespace pipeline;

namespace {

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// For the start-up baseline: no /proc reads for a snapshot nobody sees.
class NoProcessInfo final : public ProcessInfoSource {
 public:
  std::optional<ProcessInfo> describe(int) override { return std::nullopt; }
  void end_interval(const std::vector<int>&) override {}
};

}  // namespace

struct LivePipeline::Impl {
  HostRoot root;
  PipelineOptions options;
  Topology topology;
  std::vector<int> node_ids;
  std::unique_ptr<LocalityProgram> program;
  std::unique_ptr<EventConsumer> consumer;
  std::optional<BpfStats> bpf_stats;
  std::unique_ptr<ProcessInfoSource> info;
  std::unique_ptr<Aggregator> aggregator;
  std::vector<ProbeStatus> probes;
  std::map<std::string, std::string> sources;
  UniqueFd stop_fd;
  std::atomic<bool> stopped{false};
  bool final_snapshot_taken = false;
  std::uint64_t interval_start_ns = 0;
  std::uint64_t self_cpu_ns = 0;
};

LivePipeline::LivePipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LivePipeline::~LivePipeline() = default;

const Topology& LivePipeline::topology() const { return impl_->topology; }
const std::vector<ProbeStatus>& LivePipeline::probes() const { return impl_->probes; }
const PipelineOptions& LivePipeline::options() const { return impl_->options; }
Result<std::size_t> LivePipeline::tracked_threads() const {
  return impl_->program->thread_entries();
}

void LivePipeline::request_stop() {
  impl_->stopped.store(true);
  const std::uint64_t one = 1;
  // write(2) on an eventfd is async-signal-safe; a full counter only means a stop is pending.
  [[maybe_unused]] const ssize_t written = ::write(impl_->stop_fd.get(), &one, sizeof(one));
}

Result<std::unique_ptr<LivePipeline>> LivePipeline::start(const HostRoot& root,
                                                          PipelineOptions options) {
  if (!root.is_live())
    return fail(ErrorKind::kBadInput,
                fmt::format("the live pipeline observes the running kernel; --root {} only "
                            "applies to replays and /sys or /proc readers",
                            root.prefix().string()));
  if (options.interval.count() <= 0)
    return fail(ErrorKind::kBadInput, "the snapshot interval must be positive");
  if (auto ok = check_bpf_capabilities(); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_kernel_btf(); !ok) return tl::unexpected(ok.error());
  if (auto ok = ensure_tracefs(); !ok) return tl::unexpected(ok.error());

  auto impl = std::make_unique<Impl>();
  impl->root = root;
  impl->options = options;
  auto topology = read_topology(root);
  if (!topology) return tl::unexpected(topology.error());
  impl->topology = std::move(*topology);
  for (const NodeInfo& node : impl->topology.nodes) impl->node_ids.push_back(node.id);

  LoaderConfig config;
  auto filter = kernel_filter_for(options.scope);
  if (!filter) return tl::unexpected(filter.error());
  config.filter_tgid = filter->tgid;
  config.filter_cgroup_id = filter->cgroup_id;
  config.filter_cgroup_level = filter->cgroup_level;
  config.filter_cgroup_subsys = filter->cgroup_subsys;
  for (const CpuInfo& cpu : impl->topology.cpus) {
    if (cpu.id < 0) continue;
    if (static_cast<std::size_t>(cpu.id) >= config.cpu_node.size()) {
      config.cpu_node.resize(cpu.id + 1, 0);
      config.cpu_llc.resize(cpu.id + 1, 0);
    }
    config.cpu_node[cpu.id] = cpu.node;
    config.cpu_llc[cpu.id] = cpu.llc;
  }
  config.max_threads = options.max_threads;
  config.ring_buffer_bytes = options.ring_buffer_bytes;
  config.probes = make_live_feature_probe()->probe();

  auto program = LocalityProgram::load(config);
  if (!program) return tl::unexpected(program.error());
  impl->program = std::move(*program);
  auto consumer = EventConsumer::start(impl->program->ring_buffer_map(),
                                       impl->program->slot_nodes(), options.consume_period);
  if (!consumer) return tl::unexpected(consumer.error());
  impl->consumer = std::move(*consumer);
  if (options.bpf_stats) {
    auto stats = BpfStats::enable();
    if (!stats) return tl::unexpected(stats.error());
    impl->bpf_stats = std::move(*stats);
  }

  const bool bpf_faults = impl->program->source_active("fentry/task_numa_fault");
  const bool bpf_pages = impl->program->source_active("tracepoint/migrate/mm_migrate_pages");
  impl->probes = impl->program->sources();
  const auto vmstat = read_vmstat_numa(root);
  const bool numa_balancing = vmstat && vmstat->has_numa_balancing;
  impl->probes.push_back(
      {"proc/numa_maps", true,
       fmt::format("memory by node of processes with RSS >= {} MiB, each read at most every "
                   "{} s", options.memory.min_rss_bytes >> 20,
                   std::chrono::duration<double>(options.memory.min_interval).count())});
  impl->probes.push_back(
      {"proc/PID/sched numa_faults", !bpf_faults && numa_balancing,
       bpf_faults ? "not needed: fentry/task_numa_fault counts faults"
       : numa_balancing
           ? "per-process NUMA faults and locality from AutoNUMA's decaying statistics"
           : "kernel without CONFIG_NUMA_BALANCING: no per-process fault statistics"});
  impl->probes.push_back({"proc/vmstat numa_hint_faults", numa_balancing,
                          numa_balancing ? "system-wide hinting faults and AutoNUMA migrations"
                                         : "no numa_hint_faults in /proc/vmstat"});
  const std::string sched = impl->program->source_active("tp_btf/sched_switch")
                                ? "bpf tp_btf/sched_switch"
                                : "bpf raw_tp/sched_switch";
  impl->sources = {
      {"cpu_ns_by_node", sched},
      {"home_node", sched},
      {"cpu_busy_ns", sched},
      {"memory_bytes_by_node", "proc /proc/PID/numa_maps (rate-limited; absent below the RSS "
                               "threshold)"},
      {"memory_free_bytes", "sysfs /sys/devices/system/node/nodeN/meminfo"},
      {"numa_faults", bpf_faults ? "bpf fentry/task_numa_fault"
                      : numa_balancing ? "proc /proc/PID/sched numa_faults (decaying)"
                                       : "none"},
      {"numa_moves", impl->program->source_active("tracepoint/sched/sched_move_numa")
                         ? "bpf sched_move_numa + sched_swap_numa"
                         : "none"},
      {"pages_migrated", bpf_pages ? "bpf migrate:mm_migrate_pages"
                         : numa_balancing ? "proc /proc/PID/sched numa_pages_migrated"
                                          : "none"},
      {"cross_node_migrations", "bpf sched_migrate_task"},
      {"locality", "per process: locality_source (docs/locality.md)"},
  };
  impl->info = make_proc_info_source(root, options.memory);
  impl->aggregator = std::make_unique<Aggregator>(
      AggregatorConfig{bpf_faults, bpf_pages, options.thread_samples});
  impl->stop_fd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl->stop_fd)
    return fail(ErrorKind::kRuntime, fmt::format("eventfd: {}", std::strerror(errno)));
  // Baseline: what was counted while starting up belongs to no interval.
  {
    NoProcessInfo no_info;
    auto baseline = impl->program->read();
    if (!baseline) return tl::unexpected(baseline.error());
    impl->aggregator->aggregate(*baseline, impl->consumer->drain(), no_info, {}, std::nullopt, 0);
  }
  if (auto self = read_self_usage()) impl->self_cpu_ns = self->cpu_ns;
  impl->interval_start_ns = monotonic_ns();
  for (const ProbeStatus& status : impl->probes)
    spdlog::debug("source {}: {} ({})", status.name, status.active ? "active" : "inactive",
                  status.reason);
  return std::unique_ptr<LivePipeline>(new LivePipeline(std::move(impl)));
}

Result<std::optional<Snapshot>> LivePipeline::next() {
  Impl& p = *impl_;
  const std::uint64_t deadline =
      p.interval_start_ns + static_cast<std::uint64_t>(p.options.interval.count());
  while (!p.stopped.load()) {
    const std::uint64_t now = monotonic_ns();
    if (now >= deadline) break;
    pollfd wait{p.stop_fd.get(), POLLIN, 0};
    const int timeout_ms = static_cast<int>((deadline - now + 999'999) / 1'000'000);
    if (::poll(&wait, 1, timeout_ms) < 0 && errno != EINTR)
      return fail(ErrorKind::kRuntime, fmt::format("waiting for the interval: {}",
                                                   std::strerror(errno)));
  }
  // A stop ends the current interval early: it is still reported (a recording keeps what was
  // seen up to Ctrl-C), and the call after that says the source is exhausted.
  if (p.stopped.load() && p.final_snapshot_taken) return std::optional<Snapshot>{};
  if (p.stopped.load()) p.final_snapshot_taken = true;

  // Events first, then the maps: an exit drained now is already gone from the map.
  DrainedEvents drained = p.consumer->drain();
  auto reading = p.program->read();
  if (!reading) return tl::unexpected(reading.error());
  const std::uint64_t end = monotonic_ns();
  const NodeMemory memory = read_node_memory(p.root, p.node_ids);
  std::optional<VmstatNuma> vmstat;
  if (auto v = read_vmstat_numa(p.root)) vmstat = *v;
  Snapshot snapshot = p.aggregator->aggregate(*reading, drained, *p.info, memory, vmstat,
                                              end - p.interval_start_ns);
  p.interval_start_ns = end;
  snapshot.probes = p.probes;
  snapshot.sources = p.sources;
  if (auto self = read_self_usage()) {
    snapshot.self.cpu_ns = self->cpu_ns > p.self_cpu_ns ? self->cpu_ns - p.self_cpu_ns : 0;
    snapshot.self.rss_bytes = self->rss_bytes;
    p.self_cpu_ns = self->cpu_ns;
  }
  if (p.bpf_stats) {
    auto costs = p.bpf_stats->sample(p.program->programs());
    if (!costs) return tl::unexpected(costs.error());
    snapshot.self.programs = std::move(*costs);
  }
  return std::optional<Snapshot>(std::move(snapshot));
}

}  // namespace aurora
