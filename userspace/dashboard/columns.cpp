#include "dashboard/columns.hpp"

#include <ctime>

#include <fmt/format.h>

#include "aurora/cpu_list.hpp"
#include "dashboard/locality_style.hpp"

namespace aurora::dashboard {

namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

double or_absent(std::optional<double> v) { return v ? *v : kAbsent; }

std::string node_text(int node) { return node >= 0 ? std::to_string(node) : "-"; }

std::string locality_text(std::optional<double> locality) {
  std::string text = format_percent(locality);
  if (char mark = locality_mark(locality); mark != ' ') text += mark;
  return text;
}

std::string memory_on_node(const std::vector<std::uint64_t>& by_node, std::size_t index) {
  return index < by_node.size() ? format_bytes(by_node[index]) : "-";
}

// Columns shared by processes and cgroups: memory total, per-node shares, per-node bytes.
template <class Row>
void add_memory_columns(std::vector<Column<Row>>& columns, const std::vector<int>& node_ids,
                        int base_priority) {
  const int shares_width = std::max<int>(5, static_cast<int>(node_ids.size()));
  columns.push_back({"mem", "MEM", 6, 0, base_priority, false, false,
                     [](const Row& r) { return format_bytes(r.memory_bytes); },
                     [](const Row& r) { return static_cast<double>(r.memory_bytes); },
                     {}});
  columns.push_back({"nodes", "NODES", shares_width, 0, base_priority + 1, true, false,
                     [](const Row& r) { return format_node_shares(r.memory_by_node); },
                     {}, {}});
}

template <class Row>
void add_per_node_memory_columns(std::vector<Column<Row>>& columns,
                                 const std::vector<int>& node_ids) {
  for (std::size_t i = 0; i < node_ids.size(); ++i)
    columns.push_back({fmt::format("mem{}", node_ids[i]), fmt::format("N{}", node_ids[i]), 6, 0,
                       10 + static_cast<int>(i), false, false,
                       [i](const Row& r) { return memory_on_node(r.memory_by_node, i); },
                       [i](const Row& r) {
                         return i < r.memory_by_node.size()
                                    ? static_cast<double>(r.memory_by_node[i])
                                    : kAbsent;
                       },
                       {}});
}

std::string clock_text(std::uint64_t timestamp_ns) {
  const std::time_t seconds = static_cast<std::time_t>(timestamp_ns / 1000000000ull);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof(buffer), "%H:%M:%S", &tm);
  return buffer;
}

}  // namespace

std::vector<Column<ProcessRow>> process_columns(const std::vector<int>& node_ids) {
  using R = ProcessRow;
  std::vector<Column<R>> c;
  c.push_back({"pid", "PID", 7, 0, 0, false, false,
               [](const R& r) { return std::to_string(r.pid); },
               [](const R& r) { return static_cast<double>(r.pid); }, {}});
  c.push_back({"comm", "COMMAND", 10, 24, 0, true, false, [](const R& r) { return r.comm; }, {},
               {}});
  c.push_back({"cgroup", "CGROUP", 10, 40, 3, true, true, [](const R& r) { return r.group(); },
               {}, {}});
  c.push_back({"threads", "THR", 5, 0, 2, false, false,
               [](const R& r) { return std::to_string(r.threads); },
               [](const R& r) { return static_cast<double>(r.threads); }, {}});
  c.push_back({"cpu", "CPU%", 6, 0, 0, false, false,
               [](const R& r) { return format_cpu_percent(r.cpu_percent); },
               [](const R& r) { return r.cpu_percent; }, {}});
  c.push_back({"home", "HOME", 4, 0, 1, false, false,
               [](const R& r) { return node_text(r.home_node); },
               [](const R& r) { return static_cast<double>(r.home_node); }, {}});
  add_memory_columns(c, node_ids, 1);
  c.push_back({"locality", "LOC%", 5, 0, 0, false, false,
               [](const R& r) { return locality_text(r.locality); },
               [](const R& r) { return or_absent(r.locality); },
               [](const R& r) { return locality_style(r.locality); }});
  c.push_back({"remote", "RFLT/s", 6, 0, 1, false, false,
               [](const R& r) { return format_rate(r.remote_faults_per_s); },
               [](const R& r) { return or_absent(r.remote_faults_per_s); }, {}});
  c.push_back({"nodemig", "NMIG/s", 6, 0, 2, false, false,
               [](const R& r) { return format_rate(r.node_migrations_per_s); },
               [](const R& r) { return or_absent(r.node_migrations_per_s); }, {}});
  c.push_back({"pagemig", "PGMIG/s", 7, 0, 5, false, false,
               [](const R& r) { return format_rate(r.pages_migrated_per_s); },
               [](const R& r) { return or_absent(r.pages_migrated_per_s); }, {}});
  c.push_back({"class", "CLASS", 8, 0, 4, true, false,
               [](const R& r) { return r.workload_class.empty() ? "-" : r.workload_class; }, {},
               {}});
  c.push_back({"coordinator", "RECOMMENDATION", 14, 40, 4, true, false,
               [](const R& r) { return r.coordinator_note.empty() ? "-" : r.coordinator_note; },
               {}, {}});
  add_per_node_memory_columns(c, node_ids);
  return c;
}

std::vector<Column<ThreadRow>> thread_columns() {
  using R = ThreadRow;
  std::vector<Column<R>> c;
  c.push_back({"tid", "TID", 7, 0, 0, false, false,
               [](const R& r) { return std::to_string(r.tid); },
               [](const R& r) { return static_cast<double>(r.tid); }, {}});
  c.push_back({"comm", "COMMAND", 10, 20, 0, true, false, [](const R& r) { return r.comm; }, {},
               {}});
  c.push_back({"cpu", "CPU%", 6, 0, 0, false, false,
               [](const R& r) { return format_cpu_percent(r.cpu_percent); },
               [](const R& r) { return r.cpu_percent; }, {}});
  c.push_back({"home", "HOME", 4, 0, 1, false, false,
               [](const R& r) { return node_text(r.home_node); },
               [](const R& r) { return static_cast<double>(r.home_node); }, {}});
  c.push_back({"lastcpu", "LCPU", 4, 0, 1, false, false,
               [](const R& r) { return r.last_cpu >= 0 ? std::to_string(r.last_cpu) : "-"; },
               [](const R& r) { return static_cast<double>(r.last_cpu); }, {}});
  c.push_back({"lastnode", "LNODE", 5, 0, 0, false, false,
               [](const R& r) { return node_text(r.last_node); },
               [](const R& r) { return static_cast<double>(r.last_node); }, {}});
  c.push_back({"locality", "LOC%", 5, 0, 0, false, false,
               [](const R& r) { return locality_text(r.locality); },
               [](const R& r) { return or_absent(r.locality); },
               [](const R& r) { return locality_style(r.locality); }});
  c.push_back({"remote", "RFLT/s", 6, 0, 1, false, false,
               [](const R& r) { return format_rate(r.remote_faults_per_s); },
               [](const R& r) { return or_absent(r.remote_faults_per_s); }, {}});
  c.push_back({"migrations", "MIG/s", 6, 0, 2, false, false,
               [](const R& r) { return format_rate(r.migrations_per_s); },
               [](const R& r) { return or_absent(r.migrations_per_s); }, {}});
  c.push_back({"nodemig", "NMIG/s", 6, 0, 2, false, false,
               [](const R& r) { return format_rate(r.node_migrations_per_s); },
               [](const R& r) { return or_absent(r.node_migrations_per_s); }, {}});
  c.push_back({"rqwait", "RQms/s", 6, 0, 3, false, false,
               [](const R& r) { return format_rate(r.runqueue_wait_ms_per_s); },
               [](const R& r) { return or_absent(r.runqueue_wait_ms_per_s); }, {}});
  c.push_back({"switches", "CSW/s", 6, 0, 3, false, false,
               [](const R& r) { return format_rate(r.switches_per_s); },
               [](const R& r) { return or_absent(r.switches_per_s); }, {}});
  return c;
}

std::vector<Column<CgroupRow>> cgroup_columns(const std::vector<int>& node_ids) {
  using R = CgroupRow;
  std::vector<Column<R>> c;
  c.push_back({"cgroup", "CGROUP", 16, 60, 0, true, true, [](const R& r) { return r.path; }, {},
               {}});
  c.push_back({"container", "CONTAINER", 12, 20, 3, true, false,
               [](const R& r) { return r.container.empty() ? "-" : r.container; }, {}, {}});
  c.push_back({"processes", "PROCS", 5, 0, 1, false, false,
               [](const R& r) { return std::to_string(r.processes); },
               [](const R& r) { return static_cast<double>(r.processes); }, {}});
  c.push_back({"threads", "THR", 6, 0, 1, false, false,
               [](const R& r) { return std::to_string(r.threads); },
               [](const R& r) { return static_cast<double>(r.threads); }, {}});
  c.push_back({"cpu", "CPU%", 6, 0, 0, false, false,
               [](const R& r) { return format_cpu_percent(r.cpu_percent); },
               [](const R& r) { return r.cpu_percent; }, {}});
  c.push_back({"home", "HOME", 4, 0, 1, false, false,
               [](const R& r) { return node_text(r.home_node); },
               [](const R& r) { return static_cast<double>(r.home_node); }, {}});
  add_memory_columns(c, node_ids, 1);
  c.push_back({"locality", "LOC%", 5, 0, 0, false, false,
               [](const R& r) { return locality_text(r.locality); },
               [](const R& r) { return or_absent(r.locality); },
               [](const R& r) { return locality_style(r.locality); }});
  c.push_back({"remote", "RFLT/s", 6, 0, 1, false, false,
               [](const R& r) { return format_rate(r.remote_faults_per_s); },
               [](const R& r) { return or_absent(r.remote_faults_per_s); }, {}});
  add_per_node_memory_columns(c, node_ids);
  return c;
}

std::vector<Column<NodeRow>> node_columns() {
  using R = NodeRow;
  std::vector<Column<R>> c;
  c.push_back({"node", "NODE", 4, 0, 0, false, false,
               [](const R& r) { return std::to_string(r.id); },
               [](const R& r) { return static_cast<double>(r.id); }, {}});
  c.push_back({"cpus", "CPUS", 8, 24, 0, true, false,
               [](const R& r) { return r.cpus.empty() ? "none" : format_cpu_list(r.cpus); },
               [](const R& r) { return static_cast<double>(r.cpus.size()); }, {}});
  c.push_back({"llc", "LLC", 5, 12, 2, true, false,
               [](const R& r) { return r.llc_groups.empty() ? "-" : format_cpu_list(r.llc_groups); },
               {}, {}});
  c.push_back({"kind", "KIND", 5, 0, 2, true, false,
               [](const R& r) { return r.memory_kind.empty() ? "-" : r.memory_kind; }, {}, {}});
  c.push_back({"mem", "MEM", 6, 0, 0, false, false,
               [](const R& r) { return format_bytes(r.memory_total_bytes); },
               [](const R& r) { return static_cast<double>(r.memory_total_bytes); }, {}});
  c.push_back({"free", "FREE", 6, 0, 0, false, false,
               [](const R& r) { return format_bytes(r.memory_free_bytes); },
               [](const R& r) { return static_cast<double>(r.memory_free_bytes); }, {}});
  c.push_back({"cpu", "BUSY%", 5, 0, 0, false, false,
               [](const R& r) { return format_percent(r.cpu_busy_fraction); },
               [](const R& r) { return or_absent(r.cpu_busy_fraction); }, {}});
  c.push_back({"local", "LFLT/s", 6, 0, 1, false, false,
               [](const R& r) { return format_rate(r.local_faults_per_s); },
               [](const R& r) { return or_absent(r.local_faults_per_s); }, {}});
  c.push_back({"remote", "RFLT/s", 6, 0, 1, false, false,
               [](const R& r) { return format_rate(r.remote_faults_per_s); },
               [](const R& r) { return or_absent(r.remote_faults_per_s); }, {}});
  c.push_back({"moves", "MOVE/s", 6, 0, 2, false, false,
               [](const R& r) { return format_rate(r.moves_per_s); },
               [](const R& r) { return or_absent(r.moves_per_s); }, {}});
  c.push_back({"pagemig", "PGMIG/s", 7, 0, 2, false, false,
               [](const R& r) { return format_rate(r.pages_migrated_per_s); },
               [](const R& r) { return or_absent(r.pages_migrated_per_s); }, {}});
  c.push_back({"homes", "HOMES", 5, 0, 1, false, false,
               [](const R& r) { return std::to_string(r.home_processes); },
               [](const R& r) { return static_cast<double>(r.home_processes); }, {}});
  c.push_back({"homenames", "HOME PROCESSES", 14, 60, 3, true, false,
               [](const R& r) { return r.home_process_names.empty() ? "-" : r.home_process_names; },
               {}, {}});
  c.push_back({"devices", "DEVICES", 10, 50, 4, true, false,
               [](const R& r) { return r.devices.empty() ? "-" : r.devices; }, {}, {}});
  return c;
}

std::vector<Column<CoordinatorRow>> coordinator_columns() {
  using R = CoordinatorRow;
  std::vector<Column<R>> c;
  c.push_back({"time", "TIME", 8, 0, 0, true, false,
               [](const R& r) { return clock_text(r.entry.timestamp_ns); },
               [](const R& r) { return static_cast<double>(r.entry.timestamp_ns); }, {}});
  c.push_back({"kind", "KIND", 6, 0, 0, true, false,
               [](const R& r) {
                 return r.entry.kind == CoordinatorEntry::Kind::kAction ? "action" : "advice";
               },
               {}, {}});
  c.push_back({"pid", "PID", 7, 0, 0, false, false,
               [](const R& r) { return r.entry.pid >= 0 ? std::to_string(r.entry.pid) : "-"; },
               [](const R& r) { return static_cast<double>(r.entry.pid); }, {}});
  c.push_back({"target", "CGROUP", 10, 30, 3, true, true,
               [](const R& r) { return r.entry.cgroup.empty() ? "-" : r.entry.cgroup; }, {}, {}});
  c.push_back({"state", "STATE", 9, 0, 1, true, false, [](const R& r) { return r.entry.state; },
               {}, {}});
  c.push_back({"summary", "ACTION", 16, 30, 0, true, false,
               [](const R& r) { return r.entry.summary; }, {}, {}});
  c.push_back({"reason", "REASON", 10, 80, 1, true, false,
               [](const R& r) { return r.entry.reason; }, {}, {}});
  return c;
}

}  // namespace aurora::dashboard
