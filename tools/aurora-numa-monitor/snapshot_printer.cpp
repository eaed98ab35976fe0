#include "snapshot_printer.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace aurora::cli {

namespace {

std::uint64_t total(const NodeCounters& counters) {
  std::uint64_t sum = 0;
  for (const auto& [node, value] : counters) sum += value;
  return sum;
}

// "0:812 1:3" in the given unit.
std::string by_node(const NodeCounters& counters, double divisor) {
  if (counters.empty()) return "-";
  std::string out;
  for (const auto& [node, value] : counters)
    out += fmt::format("{}{}:{:.0f}", out.empty() ? "" : " ", node, value / divisor);
  return out;
}

std::string locality_text(const std::optional<double>& locality, const std::string& source) {
  if (!locality) return "-";
  return fmt::format("{:.2f} ({})", *locality, source);
}

}  // namespace

void print_snapshot(const Snapshot& s, const PrintOptions& options, std::FILE* out) {
  if (options.json) {
    fmt::print(out, "{}\n", nlohmann::json(s).dump());
    return;
  }
  fmt::print(out, "interval {:.2f} s   events_lost {}   threads_dropped {}\n",
             s.interval_ns / 1e9, s.events_lost, s.threads_dropped);
  for (const ProbeStatus& probe : s.probes)
    if (!probe.active && probe.reason.rfind("not needed", 0) != 0)
      fmt::print(out, "inactive source {}: {}\n", probe.name, probe.reason);

  fmt::print(out, "\n{:<5} {:>12} {:>12} {:>12} {:>10} {:>12} {:>8} {:>10}\n", "NODE",
             "CPU_BUSY_MS", "MEM_FREE_MB", "SWITCHES", "RQWAIT_MS", "FAULTS_L/R", "MOVES",
             "PG_MIGR");
  for (const NodeSample& n : s.nodes)
    fmt::print(out, "{:<5} {:>12.1f} {:>12} {:>12} {:>10.1f} {:>12} {:>8} {:>10}\n", n.id,
               n.cpu_busy_ns / 1e6, n.memory_free_bytes >> 20, n.context_switches,
               n.runqueue_wait_ns / 1e6,
               fmt::format("{}/{}", n.numa_faults_local, n.numa_faults_remote), n.numa_moves,
               n.pages_migrated);

  std::vector<const ProcessSample*> processes;
  for (const ProcessSample& p : s.processes) processes.push_back(&p);
  std::sort(processes.begin(), processes.end(), [](const ProcessSample* a, const ProcessSample* b) {
    return total(a->cpu_ns_by_node) > total(b->cpu_ns_by_node);
  });
  fmt::print(out, "\n{:>7} {:<16} {:>4} {:>16} {:>5} {:>16} {:>11} {:>6} {:>7} {:<30} {}\n",
             "PID", "COMM", "THR", "CPU_MS_BY_NODE", "HOME", "MEM_MB_BY_NODE", "FAULTS_L/R",
             "MOVES", "PG_MIGR", "LOCALITY", "CGROUP [CONTAINER]");
  int shown = 0;
  for (const ProcessSample* p : processes) {
    if (shown++ == options.process_limit) {
      fmt::print(out, "... {} more processes (--json shows all)\n", processes.size() - shown + 1);
      break;
    }
    fmt::print(out, "{:>7} {:<16} {:>4} {:>16} {:>5} {:>16} {:>11} {:>6} {:>7} {:<30} {}{}\n",
               p->pid, p->comm, p->threads, by_node(p->cpu_ns_by_node, 1e6), p->home_node,
               by_node(p->memory_bytes_by_node, 1 << 20),
               fmt::format("{}/{}", p->numa_faults_local, p->numa_faults_remote), p->numa_moves,
               p->pages_migrated, locality_text(p->locality, p->locality_source), p->cgroup,
               p->container.empty() ? "" : fmt::format(" [{}]", p->container.substr(0, 12)));
  }
  if (!s.events.empty()) fmt::print(out, "\n{} kernel events (exec, AutoNUMA, migrations)\n", s.events.size());
  fmt::print(out, "\nmonitor: cpu {:.1f} ms, rss {} MiB\n", s.self.cpu_ns / 1e6,
             s.self.rss_bytes >> 20);
  for (const BpfProgramCost& program : s.self.programs)
    fmt::print(out, "  bpf {:<36} {:>10} runs {:>8.0f} ns/run\n", program.name,
               program.run_count,
               program.run_count ? double(program.run_time_ns) / program.run_count : 0.0);
}

}  // namespace aurora::cli
