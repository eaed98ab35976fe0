// aurora-numa-workload: a deliberately misplaced (or well placed) memory workload for NUMA
// tests. It puts N MiB on one node, runs its threads on another node's CPUs, optionally moves
// them halfway, and prints where its pages are (move_pages(2) queries) as JSON lines, so a test
// can watch AutoNUMA migrate them. See docs/vm-tests.md.
#include <numa.h>

#include <algorithm>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/result.hpp"
#include "node_buffer.hpp"
#include "node_cpus.hpp"
#include "page_census.hpp"
#include "pinned_workers.hpp"

namespace {

using namespace aurora;
using namespace aurora::workload;
using Clock = std::chrono::steady_clock;

struct Options {
  int mem_mib = 0;
  int mem_node = 0;
  Placement placement = Placement::kFirstTouch;
  int cpu_node = 0;  // -1: not pinned, the scheduler places the threads
  std::string shm_name;
  int threads = 1;
  Access access = Access::kPrivate;
  std::optional<int> phase_node;
  std::optional<double> phase_at;  // seconds; halfway through --seconds when unset
  bool no_hugepage = false;
  double seconds = 10;
  double report_interval = 0;
  std::optional<int> stop_node;
  double stop_share = 0;
};

int report(const Error& error) {
  std::fprintf(stderr, "aurora-numa-workload: %s\n", error.message.c_str());
  return exit_code_for(error.kind);
}

void print_line(const nlohmann::json& line) {
  std::fputs((line.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
}

// One JSON line: counts per online node, -ENOENT and other errors, and each node's share of ALL
// the buffer's pages (pages whose node could not be read count against every node).
nlohmann::json census_line(const char* event, double t, const PageCensus& census, int cpu_node,
                           std::uint64_t passes) {
  nlohmann::json on_node = nlohmann::json::object();
  nlohmann::json share = nlohmann::json::object();
  for (int node = 0; node <= numa_max_node(); ++node) {
    if (require_online_node(node)) {
      const auto it = census.on_node.find(node);
      const std::size_t count = it == census.on_node.end() ? 0 : it->second;
      on_node[std::to_string(node)] = count;
      share[std::to_string(node)] =
          census.pages == 0 ? 0.0 : std::round(1e6 * count / census.pages) / 1e6;
    }
  }
  return {{"event", event},     {"t", std::round(t * 1000) / 1000}, {"cpu_node", cpu_node},
          {"pages", census.pages}, {"on_node", on_node},          {"share", share},
          {"enoent", census.enoent}, {"other_errors", census.other_errors}, {"passes", passes}};
}

Result<int> run(const Options& options) {
  if (auto ok = require_online_node(options.mem_node); !ok) return tl::unexpected(ok.error());
  auto first_cpus = options.cpu_node < 0 ? current_affinity() : cpus_of_node(options.cpu_node);
  if (!first_cpus) return tl::unexpected(first_cpus.error());
  std::optional<cpu_set_t> phase_cpus;
  if (options.phase_node) {
    auto cpus = cpus_of_node(*options.phase_node);
    if (!cpus) return tl::unexpected(cpus.error());
    phase_cpus = *cpus;
  }
  if (options.stop_node) {
    if (auto ok = require_online_node(*options.stop_node); !ok) return tl::unexpected(ok.error());
  }

  auto buffer = NodeBuffer::allocate(static_cast<std::size_t>(options.mem_mib) << 20,
                                     options.mem_node, options.placement, options.no_hugepage,
                                     options.shm_name);
  if (!buffer) return tl::unexpected(buffer.error());
  auto census = take_page_census(buffer->data(), buffer->bytes());
  if (!census) return tl::unexpected(census.error());
  print_line(census_line("start", 0, *census, options.cpu_node, 0));

  auto workers = PinnedWorkers::start(buffer->data(), buffer->bytes(), options.threads,
                                      options.access, *first_cpus);
  if (!workers) return tl::unexpected(workers.error());

  const auto started = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  const double tick = options.report_interval > 0 ? options.report_interval : 0.05;
  int cpu_node = options.cpu_node;
  const char* end_reason = "time";
  const double phase_time = options.phase_at.value_or(options.seconds / 2);
  for (double next = tick; elapsed() < options.seconds; next += tick) {
    std::this_thread::sleep_for(std::chrono::duration<double>(
        std::max(0.0, std::min(next, options.seconds) - elapsed())));
    if (phase_cpus && cpu_node != *options.phase_node && elapsed() >= phase_time) {
      (*workers)->move_to(*phase_cpus);
      cpu_node = *options.phase_node;
      print_line({{"event", "phase"}, {"t", std::round(elapsed() * 1000) / 1000},
                  {"cpu_node", cpu_node}});
    }
    if (options.report_interval <= 0) continue;
    census = take_page_census(buffer->data(), buffer->bytes());
    if (!census) return tl::unexpected(census.error());
    print_line(census_line("report", elapsed(), *census, cpu_node, (*workers)->passes()));
    if (options.stop_node) {
      const auto it = census->on_node.find(*options.stop_node);
      const double share = it == census->on_node.end() ? 0.0 : double(it->second) / census->pages;
      if (share >= options.stop_share) {
        end_reason = "share reached";
        break;
      }
    }
  }
  // The last census is taken while the threads still run: once they stop, the NUMA scanner's
  // next pass leaves pages PROT_NONE and nobody faults them back, so move_pages reports them
  // all -ENOENT.
  census = take_page_census(buffer->data(), buffer->bytes());
  if (!census) return tl::unexpected(census.error());
  const double ran = elapsed();
  const std::uint64_t passes = (*workers)->passes();
  if (auto ok = (*workers)->stop(); !ok) return tl::unexpected(ok.error());
  auto done = census_line("done", ran, *census, cpu_node, passes);
  done["reason"] = end_reason;
  print_line(done);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "aurora-numa-workload: put N MiB on one NUMA node, run threads on another node's CPUs,\n"
      "and print (JSON lines) where the pages are as the kernel migrates them.\n"
      "Lines: {\"event\":\"start\"|\"report\"|\"phase\"|\"done\", \"t\" (s since the threads "
      "started),\n\"cpu_node\", \"pages\", \"on_node\":{node:pages}, \"share\":{node:pages/all "
      "pages},\n\"enoent\" (pages move_pages could not locate), \"other_errors\", \"passes\"}.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input."};
  app.add_option("--mem-mib", options.mem_mib, "MiB to allocate")->required()->check(
      CLI::Range(1, 1 << 20));
  app.add_option("--mem-node", options.mem_node, "Node the memory starts on")->required();
  app.add_option("--placement", options.placement,
                 "first-touch (no policy kept; AutoNUMA may migrate), bind (MPOL_BIND kept), "
                 "bind-balancing (MPOL_BIND|MPOL_F_NUMA_BALANCING), preferred (first touch that "
                 "spills to other nodes when the node is full), interleave (page by page over every "
                 "memory node, no policy kept)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Placement>{{"first-touch", Placement::kFirstTouch},
                                           {"bind", Placement::kBind},
                                           {"bind-balancing", Placement::kBindWithBalancing},
                                           {"preferred", Placement::kPreferred},
                                           {"interleave", Placement::kInterleave}}))
      ->capture_default_str();
  app.add_option("--cpu-node", options.cpu_node,
                 "Node whose CPUs the threads run on; -1: anywhere (the scheduler decides)")
      ->required()
      ->check(CLI::Range(-1, 1 << 20));
  app.add_option("--shm", options.shm_name,
                 "Use the POSIX shared-memory object /dev/shm/NAME: the first process creates and "
                 "places it, later ones share its pages as they are")
      ->check([](const std::string& name) {
        return name.empty() || name.find('/') != std::string::npos ? std::string("a name without '/'")
                                                                    : std::string();
      });
  app.add_option("--threads", options.threads, "Worker threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--access", options.access,
                 "private (each thread its own slice) or shared (all threads, whole buffer)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Access>{
          {"private", Access::kPrivate}, {"shared", Access::kShared}}))
      ->capture_default_str();
  auto* phase_node = app.add_option("--phase-node", options.phase_node,
                                    "Halfway through --seconds (or at --phase-at), move every "
                                    "thread to this node's CPUs");
  app.add_option("--phase-at", options.phase_at, "Seconds into the run for the phase change")
      ->check(CLI::Range(0.0, 86400.0))
      ->needs(phase_node);
  app.add_flag("--no-hugepage", options.no_hugepage,
               "madvise(MADV_NOHUGEPAGE): migrate 4 KiB pages, not 2 MiB ones");
  app.add_option("--seconds", options.seconds, "How long the threads run")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  app.add_option("--report-interval", options.report_interval,
                 "Seconds between page census lines (0: only start and done)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  std::string stop_when;
  app.add_option("--stop-when-share", stop_when,
                 "NODE:FRACTION: end early once a census finds at least FRACTION of all pages "
                 "on NODE (needs --report-interval)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (options.phase_at && *options.phase_at >= options.seconds)
    return report({ErrorKind::kBadInput,
                   fmt::format("--phase-at {} is not before the end of the run (--seconds {})",
                               *options.phase_at, options.seconds)});
  if (!stop_when.empty()) {
    int node = -1;
    double share = -1;
    char tail = 0;
    if (std::sscanf(stop_when.c_str(), "%d:%lf%c", &node, &share, &tail) != 2 || node < 0 ||
        share <= 0 || share > 1)
      return report({ErrorKind::kBadInput,
                     fmt::format("--stop-when-share '{}': give NODE:FRACTION, e.g. 1:0.99",
                                 stop_when)});
    if (options.report_interval <= 0)
      return report({ErrorKind::kBadInput, "--stop-when-share needs --report-interval > 0"});
    options.stop_node = node;
    options.stop_share = share;
  }
  try {
    auto result = run(options);
    if (!result) return report(result.error());
    return *result;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aurora-numa-workload: internal error: %s\n", e.what());
    return 1;
  }
}
