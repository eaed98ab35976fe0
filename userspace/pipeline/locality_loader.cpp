#include "locality_loader.hpp"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include "aurora_shared.h"
#include "bpf/bpf_handles.hpp"
#include "locality.skel.h"

namespace aurora::pipeline {

struct LocalityProgram::Skeleton {
  bpf::UniqueSkeleton<locality, locality__destroy> object;
  std::vector<bpf::UniqueLink> links;
};

namespace {

using ProgramOf = bpf_program* (*)(locality*);

// Scheduler events with a tp_btf and a raw_tp twin: one of each pair is loaded.
struct TwinSpec {
  const char* event;
  ProgramOf tp_btf;
  ProgramOf raw_tp;
  const char* purpose;
};

const TwinSpec kTwins[] = {
    {"sched_switch", [](locality* s) { return s->progs.switch_btf; },
     [](locality* s) { return s->progs.switch_raw; },
     "on-CPU time by node, voluntary/involuntary switches, runqueue wait"},
    {"sched_migrate_task", [](locality* s) { return s->progs.migrate_btf; },
     [](locality* s) { return s->progs.migrate_raw; }, "migrations, cross-LLC and cross-node"},
    {"sched_process_fork", [](locality* s) { return s->progs.fork_btf; },
     [](locality* s) { return s->progs.fork_raw; }, "new threads"},
    {"sched_process_exec", [](locality* s) { return s->progs.exec_btf; },
     [](locality* s) { return s->progs.exec_raw; }, "exec events"},
    {"sched_process_exit", [](locality* s) { return s->progs.exit_btf; },
     [](locality* s) { return s->progs.exit_raw; }, "exits: final counters, entries freed"},
};

// Optional sources, each gated by its feature-probe entry.
struct OptionalSpec {
  const char* probe_name;
  ProgramOf program;
  const char* purpose;
};

const OptionalSpec kOptional[] = {
    {"tracepoint/sched/sched_move_numa", [](locality* s) { return s->progs.move_numa; },
     "AutoNUMA task moves"},
    {"tracepoint/sched/sched_swap_numa", [](locality* s) { return s->progs.swap_numa; },
     "AutoNUMA task swaps"},
    {"tracepoint/sched/sched_stick_numa", [](locality* s) { return s->progs.stick_numa; },
     "AutoNUMA moves that failed"},
    {"tracepoint/migrate/mm_migrate_pages", [](locality* s) { return s->progs.migrate_pages; },
     "pages migrated, by reason"},
    {"fentry/task_numa_fault", [](locality* s) { return s->progs.numa_fault; },
     "NUMA hinting faults by memory node, local or remote"},
};

template <class T>
Result<std::vector<T>> lookup_percpu(int map_fd, std::uint32_t key, int cpus) {
  std::vector<T> values(static_cast<std::size_t>(cpus));
  if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("reading BPF map entry {}: {}", key, std::strerror(errno)));
  return values;
}

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

ThreadCounters thread_counters_from(const void* bytes, const std::vector<int>& slot_nodes) {
  aurora_thread_stats k;
  std::memcpy(&k, bytes, sizeof(k));
  ThreadCounters t;
  t.tid = static_cast<int>(k.tid);
  t.tgid = static_cast<int>(k.tgid);
  t.start_time_ns = k.start_time_ns;
  t.comm.assign(k.comm, strnlen(k.comm, sizeof(k.comm)));
  for (std::size_t slot = 0; slot < AURORA_NODE_SLOTS; ++slot)
    if (k.cpu_ns_by_slot[slot] != 0)
      t.cpu_ns_by_node[slot < slot_nodes.size() ? slot_nodes[slot] : 0] += k.cpu_ns_by_slot[slot];
  t.voluntary_switches = k.voluntary_switches;
  t.involuntary_switches = k.involuntary_switches;
  t.runqueue_wait_ns = k.runqueue_wait_ns;
  t.migrations = k.migrations;
  t.cross_llc_migrations = k.cross_llc_migrations;
  t.cross_node_migrations = k.cross_node_migrations;
  t.numa_faults_local = k.numa_faults_local;
  t.numa_faults_remote = k.numa_faults_remote;
  t.numa_moves = k.numa_moves;
  t.numa_stick = k.numa_stick;
  t.pages_migrated = k.pages_migrated;
  t.last_cpu = static_cast<int>(k.last_cpu);
  t.last_node = static_cast<int>(k.last_node);
  return t;
}

LocalityProgram::~LocalityProgram() = default;

Result<std::unique_ptr<LocalityProgram>> LocalityProgram::load(const LoaderConfig& config) {
  std::unique_ptr<LocalityProgram> self(new LocalityProgram());
  self->skeleton_ = std::make_unique<Skeleton>();
  self->skeleton_->object.reset(locality__open());
  locality* skel = self->skeleton_->object.get();
  if (!skel)
    return fail(ErrorKind::kRuntime,
                fmt::format("opening the locality BPF object failed: {}", std::strerror(errno)));

  // Scope filter and the CPU -> node/LLC maps: rodata, fixed at load.
  skel->rodata->filter_tgid = config.filter_tgid;
  skel->rodata->filter_cgroup_id = config.filter_cgroup_id;
  skel->rodata->filter_cgroup_level = config.filter_cgroup_level;
  skel->rodata->filter_cgroup_subsys = config.filter_cgroup_subsys;
  // Node slots: nodes with CPUs, numbered densely in id order.
  std::set<int> cpu_nodes;
  for (int node : config.cpu_node) cpu_nodes.insert(node >= 0 && node < AURORA_MAX_NODES ? node : 0);
  if (cpu_nodes.size() > AURORA_NODE_SLOTS)
    return fail(ErrorKind::kUnsupported,
                fmt::format("this machine has {} NUMA nodes with CPUs; the per-thread accounting "
                            "holds {} (AURORA_NODE_SLOTS in bpf/aurora_shared.h)",
                            cpu_nodes.size(), AURORA_NODE_SLOTS));
  self->slot_nodes_.assign(cpu_nodes.begin(), cpu_nodes.end());
  for (std::size_t cpu = 0; cpu < config.cpu_node.size() && cpu < AURORA_MAX_CPUS; ++cpu) {
    const int node = config.cpu_node[cpu] >= 0 && config.cpu_node[cpu] < AURORA_MAX_NODES
                         ? config.cpu_node[cpu]
                         : 0;
    skel->rodata->cpu_node[cpu] = node;
    skel->rodata->cpu_slot[cpu] = static_cast<std::uint32_t>(
        std::find(self->slot_nodes_.begin(), self->slot_nodes_.end(), node) -
        self->slot_nodes_.begin());
    self->cpu_node_.push_back(node);
  }
  for (std::size_t cpu = 0; cpu < config.cpu_llc.size() && cpu < AURORA_MAX_CPUS; ++cpu)
    skel->rodata->cpu_llc[cpu] = config.cpu_llc[cpu] >= 0 ? config.cpu_llc[cpu] : 0;
  if (int err = bpf_map__set_max_entries(skel->maps.threads, config.max_threads); err != 0)
    return fail(ErrorKind::kRuntime, fmt::format("sizing the thread map to {} entries: {}",
                                                 config.max_threads, std::strerror(-err)));
  if (int err = bpf_map__set_max_entries(skel->maps.events, config.ring_buffer_bytes); err != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("sizing the ring buffer to {} bytes (a power of two, at least a "
                            "page): {}", config.ring_buffer_bytes, std::strerror(-err)));

  // Which twin: tp_btf when it works, else raw_tp.
  const ProbeStatus* btf = find_probe(config.probes, "tp_btf/sched_switch");
  const ProbeStatus* raw = find_probe(config.probes, "raw_tp/sched_switch");
  const bool use_btf = btf && btf->active;
  if (!use_btf && !(raw && raw->active))
    return fail(ErrorKind::kUnsupported,
                fmt::format("neither tp_btf/sched_switch ({}) nor raw_tp/sched_switch ({}) can "
                            "attach on this kernel; per-thread accounting is impossible",
                            btf ? btf->reason : "not probed", raw ? raw->reason : "not probed"));
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skel->obj) bpf_program__set_autoload(program, false);
  struct Planned {
    bpf_program* program;
    std::string name;
    std::string purpose;
  };
  std::vector<Planned> planned;
  for (const TwinSpec& twin : kTwins) {
    bpf_program* chosen = use_btf ? twin.tp_btf(skel) : twin.raw_tp(skel);
    bpf_program__set_autoload(chosen, true);
    planned.push_back({chosen, fmt::format("{}/{}", use_btf ? "tp_btf" : "raw_tp", twin.event),
                       twin.purpose});
    self->sources_.push_back(
        {fmt::format("{}/{}", use_btf ? "raw_tp" : "tp_btf", twin.event), false,
         use_btf ? "not needed: the tp_btf twin is attached"
                 : fmt::format("tp_btf unavailable ({}); the raw_tp twin is used",
                               btf ? btf->reason : "not probed")});
  }
  for (const OptionalSpec& optional : kOptional) {
    const ProbeStatus* status = find_probe(config.probes, optional.probe_name);
    if (status && status->active) {
      bpf_program__set_autoload(optional.program(skel), true);
      planned.push_back({optional.program(skel), optional.probe_name, optional.purpose});
    } else {
      self->sources_.push_back({optional.probe_name, false,
                                status ? status->reason : "not probed on this kernel"});
    }
  }
  if (int err = locality__load(skel); err != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("loading bpf/locality.bpf.c into the kernel failed: {} (run with "
                            "--log-level debug for the verifier log)",
                            std::strerror(-err)));
  for (const Planned& p : planned) {
    bpf::UniqueLink link(bpf_program__attach(p.program));
    if (!link) {
      const int err = errno;
      if (p.name.find("sched_switch") != std::string::npos)
        return fail(ErrorKind::kRuntime, fmt::format("attaching {} failed: {}", p.name,
                                                     std::strerror(err)));
      self->sources_.push_back(
          {p.name, false, fmt::format("attach failed: {}; {} not observed", std::strerror(err),
                                      p.purpose)});
      continue;
    }
    self->skeleton_->links.push_back(std::move(link));
    self->sources_.push_back({p.name, true, fmt::format("attached: {}", p.purpose)});
    self->programs_.push_back({p.name, bpf_program__fd(p.program)});
  }
  // Attached sources first, in a stable order.
  std::stable_sort(self->sources_.begin(), self->sources_.end(),
                   [](const ProbeStatus& a, const ProbeStatus& b) { return a.active > b.active; });
  return self;
}

bool LocalityProgram::source_active(const std::string& name) const {
  const ProbeStatus* status = find_probe(sources_, name);
  return status && status->active;
}

bpf_map* LocalityProgram::ring_buffer_map() const { return skeleton_->object->maps.events; }

Result<std::size_t> LocalityProgram::thread_entries() const {
  const int fd = bpf_map__fd(skeleton_->object->maps.threads);
  std::size_t count = 0;
  std::uint32_t key = 0, next = 0;
  const void* previous = nullptr;
  while (bpf_map_get_next_key(fd, previous, &next) == 0) {
    ++count;
    key = next;
    previous = &key;
  }
  if (errno != ENOENT)
    return fail(ErrorKind::kRuntime,
                fmt::format("listing the BPF thread map: {}", std::strerror(errno)));
  return count;
}

Result<KernelReading> LocalityProgram::read() const {
  locality* skel = skeleton_->object.get();
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0)
    return fail(ErrorKind::kRuntime, "cannot count possible CPUs (/sys/devices/system/cpu/possible)");
  KernelReading reading;

  // Threads, in batches (one syscall per batch instead of two per entry).
  const int threads_fd = bpf_map__fd(skel->maps.threads);
  const std::uint32_t batch_size = 1024;
  std::vector<std::uint32_t> keys(batch_size);
  std::vector<aurora_thread_stats> values(batch_size);
  std::uint32_t in_batch = 0, out_batch = 0;
  bool first = true;
  while (true) {
    std::uint32_t count = batch_size;
    const int rc = bpf_map_lookup_batch(threads_fd, first ? nullptr : &in_batch, &out_batch,
                                        keys.data(), values.data(), &count, nullptr);
    const int err = rc == 0 ? 0 : errno;
    for (std::uint32_t i = 0; i < count; ++i)
      reading.threads.push_back(thread_counters_from(&values[i], slot_nodes_));
    if (rc != 0 && err == ENOENT) break;
    if (rc != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("reading the BPF thread map: {}", std::strerror(err)));
    in_batch = out_batch;
    first = false;
  }

  // Nodes, summed over CPUs.
  std::set<int> nodes(cpu_node_.begin(), cpu_node_.end());
  if (nodes.empty()) nodes.insert(0);
  const int node_fd = bpf_map__fd(skel->maps.node_stats);
  for (int node : nodes) {
    auto per_cpu = lookup_percpu<aurora_node_stats>(node_fd, node, cpus);
    if (!per_cpu) return tl::unexpected(per_cpu.error());
    NodeTotals& totals = reading.nodes[node];
    for (const aurora_node_stats& v : *per_cpu) {
      totals.numa_faults_local += v.numa_faults_local;
      totals.numa_faults_remote += v.numa_faults_remote;
      totals.numa_moves_in += v.numa_moves_in;
      totals.pages_migrated_in += v.pages_migrated_in;
      totals.task_migrations_in += v.task_migrations_in;
    }
  }

  const int counters_fd = bpf_map__fd(skel->maps.counters);
  for (std::uint32_t id : {AURORA_COUNTER_EVENTS_LOST, AURORA_COUNTER_THREADS_DROPPED}) {
    auto per_cpu = lookup_percpu<std::uint64_t>(counters_fd, id, cpus);
    if (!per_cpu) return tl::unexpected(per_cpu.error());
    std::uint64_t sum = 0;
    for (std::uint64_t v : *per_cpu) sum += v;
    (id == AURORA_COUNTER_EVENTS_LOST ? reading.events_lost : reading.threads_dropped) = sum;
  }
  const int reasons_fd = bpf_map__fd(skel->maps.pages_by_reason);
  for (std::uint32_t reason = 0; reason < kMigrateReasons; ++reason) {
    auto per_cpu = lookup_percpu<std::uint64_t>(reasons_fd, reason, cpus);
    if (!per_cpu) return tl::unexpected(per_cpu.error());
    for (std::uint64_t v : *per_cpu) reading.pages_by_reason[reason] += v;
  }

  // Slices in progress, read last so a switch between the reads is never counted twice.
  auto states = lookup_percpu<aurora_cpu_state>(bpf_map__fd(skel->maps.cpu_state), 0, cpus);
  if (!states) return tl::unexpected(states.error());
  const std::uint64_t now = monotonic_ns();
  for (int cpu = 0; cpu < cpus; ++cpu) {
    const aurora_cpu_state& state = (*states)[cpu];
    const int node = cpu < static_cast<int>(cpu_node_.size()) ? cpu_node_[cpu] : 0;
    NodeTotals& totals = reading.nodes[node];
    totals.busy_ns += state.busy_ns;
    totals.context_switches += state.context_switches;
    totals.runqueue_wait_ns += state.runqueue_wait_ns;
    for (int b = 0; b < kRunqueueBuckets; ++b)
      totals.runqueue_wait_hist[b] += state.runqueue_wait_hist[b];
    if (state.last_switch_ns == 0 || state.current_tid == 0 || now <= state.last_switch_ns)
      continue;
    const std::uint64_t slice = now - state.last_switch_ns;
    totals.busy_ns += slice;
    if (!state.current_tracked) continue;
    for (ThreadCounters& t : reading.threads)
      if (t.tid == static_cast<int>(state.current_tid)) t.cpu_ns_by_node[node] += slice;
  }
  return reading;
}

}  // namespace aurora::pipeline
