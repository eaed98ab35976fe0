#include "dashboard/view_model.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "aurora/cpu_list.hpp"
#include "dashboard/snapshot_window.hpp"

namespace aurora::dashboard {

namespace {

std::uint64_t sum(const NodeCounters& counters) {
  std::uint64_t total = 0;
  for (const auto& [node, value] : counters) total += value;
  return total;
}

std::optional<double> fault_locality(std::uint64_t local, std::uint64_t remote) {
  if (local + remote == 0) return std::nullopt;
  return static_cast<double>(local) / static_cast<double>(local + remote);
}

}  // namespace

DashboardModel::DashboardModel(Topology topology) : topology_(std::move(topology)) {
  for (const NodeInfo& n : topology_.nodes) node_ids_.push_back(n.id);
}

int DashboardModel::node_index(int id) const {
  auto it = std::lower_bound(node_ids_.begin(), node_ids_.end(), id);
  return it != node_ids_.end() && *it == id ? static_cast<int>(it - node_ids_.begin()) : -1;
}

std::vector<std::uint64_t> DashboardModel::by_node(const NodeCounters& counters) const {
  std::vector<std::uint64_t> out(node_ids_.size(), 0);
  for (const auto& [node, value] : counters)
    if (int i = node_index(node); i >= 0) out[static_cast<std::size_t>(i)] = value;
  return out;
}

std::optional<double> DashboardModel::per_second(std::uint64_t count) const {
  if (!window_seconds_ || *window_seconds_ <= 0) return std::nullopt;
  return static_cast<double>(count) / *window_seconds_;
}

int DashboardModel::busiest_node(const NodeCounters& cpu_ns) const {
  int best = -1;
  std::uint64_t best_ns = 0;
  for (const auto& [node, ns] : cpu_ns)
    if (ns > best_ns) best = node, best_ns = ns;
  return best;
}

double DashboardModel::cpu_percent(const NodeCounters& cpu_ns) const {
  if (!window_seconds_ || *window_seconds_ <= 0) return 0;
  return static_cast<double>(sum(cpu_ns)) / (*window_seconds_ * 1e9) * 100.0;
}

void DashboardModel::update(Snapshot snapshot, const CoordinatorFeed* coordinator) {
  window_seconds_ = dashboard::window_seconds(snapshot, previous_timestamp_ns_);
  previous_timestamp_ns_ = snapshot.timestamp_ns;
  snapshot_ = std::move(snapshot);
  has_data_ = true;
  // A node the snapshot names but the topology does not still gets its column.
  bool added = false;
  for (const NodeSample& n : snapshot_.nodes)
    if (node_index(n.id) < 0) node_ids_.push_back(n.id), added = true;
  if (added) std::sort(node_ids_.begin(), node_ids_.end());
  build_processes(coordinator);
  build_nodes();
  build_cgroups();
}

void DashboardModel::build_nodes() {
  nodes_.clear();
  nodes_.reserve(node_ids_.size());
  for (int id : node_ids_) {
    NodeRow row;
    row.id = id;
    if (const NodeInfo* info = topology_.node(id)) {
      row.cpus = info->cpus;
      row.memory_kind = info->memory_kind;
      row.memory_total_bytes = info->memory_total_bytes;
      row.memory_free_bytes = info->memory_free_bytes;
    }
    for (const LlcGroup& llc : topology_.llc_groups)
      if (!llc.cpus.empty() && topology_.node_of_cpu(llc.cpus.front()) == id)
        row.llc_groups.push_back(llc.id);
    std::vector<std::string> devices;
    for (const PciDevice& d : topology_.devices)
      if (d.node == id) devices.push_back(fmt::format("{} {}", d.kind, d.address));
    row.devices = fmt::format("{}", fmt::join(devices, ", "));
    for (const NodeSample& s : snapshot_.nodes) {
      if (s.id != id) continue;
      if (s.memory_total_bytes > 0) {
        row.memory_total_bytes = s.memory_total_bytes;
        row.memory_free_bytes = s.memory_free_bytes;
      }
      if (window_seconds_ && !row.cpus.empty())
        row.cpu_busy_fraction = static_cast<double>(s.cpu_busy_ns) /
                                (*window_seconds_ * 1e9 * static_cast<double>(row.cpus.size()));
      row.local_faults_per_s = per_second(s.numa_faults_local);
      row.remote_faults_per_s = per_second(s.numa_faults_remote);
      row.moves_per_s = per_second(s.numa_moves);
      row.pages_migrated_per_s = per_second(s.pages_migrated);
    }
    // Which processes call this node home, busiest first.
    std::vector<const ProcessRow*> homed;
    for (const ProcessRow& p : processes_)
      if (p.home_node == id) homed.push_back(&p);
    row.home_processes = static_cast<int>(homed.size());
    const std::size_t shown = std::min<std::size_t>(homed.size(), 8);
    std::partial_sort(homed.begin(), homed.begin() + static_cast<long>(shown), homed.end(),
                      [](const ProcessRow* a, const ProcessRow* b) {
                        return a->cpu_percent > b->cpu_percent;
                      });
    std::vector<std::string> names;
    for (std::size_t i = 0; i < shown; ++i)
      names.push_back(fmt::format("{}({})", homed[i]->comm, homed[i]->pid));
    row.home_process_names = fmt::format("{}", fmt::join(names, " "));
    nodes_.push_back(std::move(row));
  }
}

void DashboardModel::build_processes(const CoordinatorFeed* coordinator) {
  processes_.clear();
  processes_.reserve(snapshot_.processes.size());
  total_threads_ = 0;
  // The newest coordinator entry per pid (recent() lists newest first).
  std::unordered_map<int, std::string> notes;
  if (coordinator)
    for (const CoordinatorEntry& e : coordinator->recent(256))
      if (e.pid >= 0) notes.emplace(e.pid, fmt::format("{} ({})", e.summary, e.state));
  for (const ProcessSample& s : snapshot_.processes) {
    ProcessRow row;
    row.pid = s.pid;
    row.comm = s.comm;
    row.cgroup = s.cgroup;
    row.container = s.container;
    row.threads = s.threads > 0 ? s.threads : static_cast<int>(s.thread_samples.size());
    total_threads_ += static_cast<std::uint64_t>(row.threads);
    row.cpu_percent = cpu_percent(s.cpu_ns_by_node);
    row.home_node = s.home_node >= 0 ? s.home_node : busiest_node(s.cpu_ns_by_node);
    row.memory_by_node = by_node(s.memory_bytes_by_node);
    row.memory_bytes = sum(s.memory_bytes_by_node);
    row.locality = s.locality;
    row.remote_faults_per_s = per_second(s.numa_faults_remote);
    row.node_migrations_per_s = per_second(s.cross_node_migrations);
    row.pages_migrated_per_s = per_second(s.pages_migrated);
    if (coordinator) {
      row.workload_class = coordinator->workload_class(s.pid);
      if (auto it = notes.find(s.pid); it != notes.end()) row.coordinator_note = it->second;
    }
    processes_.push_back(std::move(row));
  }
}

void DashboardModel::build_cgroups() {
  cgroups_.clear();
  if (!snapshot_.cgroups.empty()) {
    for (const CgroupSample& c : snapshot_.cgroups) {
      CgroupRow row;
      row.path = c.path;
      row.container = c.container;
      row.processes = c.processes;
      row.threads = c.threads;
      row.cpu_percent = cpu_percent(c.cpu_ns_by_node);
      row.home_node = busiest_node(c.cpu_ns_by_node);
      row.memory_by_node = by_node(c.memory_bytes_by_node);
      row.memory_bytes = sum(c.memory_bytes_by_node);
      row.locality = c.locality ? c.locality
                                : fault_locality(c.numa_faults_local, c.numa_faults_remote);
      row.remote_faults_per_s = per_second(c.numa_faults_remote);
      cgroups_.push_back(std::move(row));
    }
    return;
  }
  // The source sent no cgroup roll-up: build it from the processes of this same snapshot.
  struct Rollup {
    CgroupRow row;
    NodeCounters cpu_ns;
    std::uint64_t faults_local = 0, faults_remote = 0;
    double locality_weighted = 0, locality_weight = 0;
  };
  std::map<std::string, Rollup> by_path;
  for (const ProcessSample& s : snapshot_.processes) {
    Rollup& r = by_path[s.cgroup];
    r.row.path = s.cgroup;
    if (r.row.container.empty()) r.row.container = s.container;
    r.row.processes += 1;
    r.row.threads += s.threads > 0 ? s.threads : static_cast<int>(s.thread_samples.size());
    for (const auto& [node, ns] : s.cpu_ns_by_node) r.cpu_ns[node] += ns;
    if (r.row.memory_by_node.empty()) r.row.memory_by_node.assign(node_ids_.size(), 0);
    const auto memory = by_node(s.memory_bytes_by_node);
    for (std::size_t i = 0; i < memory.size(); ++i) r.row.memory_by_node[i] += memory[i];
    r.faults_local += s.numa_faults_local;
    r.faults_remote += s.numa_faults_remote;
    if (s.locality) {
      const double weight = static_cast<double>(std::max<std::uint64_t>(1, sum(s.memory_bytes_by_node)));
      r.locality_weighted += *s.locality * weight;
      r.locality_weight += weight;
    }
  }
  for (auto& [path, r] : by_path) {
    r.row.cpu_percent = cpu_percent(r.cpu_ns);
    r.row.home_node = busiest_node(r.cpu_ns);
    for (std::uint64_t m : r.row.memory_by_node) r.row.memory_bytes += m;
    r.row.locality = r.locality_weight > 0
                         ? std::optional<double>(r.locality_weighted / r.locality_weight)
                         : fault_locality(r.faults_local, r.faults_remote);
    r.row.remote_faults_per_s = per_second(r.faults_remote);
    cgroups_.push_back(std::move(r.row));
  }
}

std::vector<ThreadRow> DashboardModel::threads_of(int pid) const {
  std::vector<ThreadRow> rows;
  for (const ProcessSample& s : snapshot_.processes) {
    if (s.pid != pid) continue;
    rows.reserve(s.thread_samples.size());
    for (const ThreadSample& t : s.thread_samples) {
      ThreadRow row;
      row.tid = t.tid;
      row.comm = t.comm;
      row.cpu_percent = cpu_percent(t.cpu_ns_by_node);
      row.home_node = busiest_node(t.cpu_ns_by_node);
      row.last_cpu = t.last_cpu;
      row.last_node = t.last_node >= 0 ? t.last_node : topology_.node_of_cpu(t.last_cpu);
      row.locality = fault_locality(t.numa_faults_local, t.numa_faults_remote);
      row.remote_faults_per_s = per_second(t.numa_faults_remote);
      row.migrations_per_s = per_second(t.migrations);
      row.node_migrations_per_s = per_second(t.cross_node_migrations);
      if (auto wait = per_second(t.runqueue_wait_ns)) row.runqueue_wait_ms_per_s = *wait / 1e6;
      row.switches_per_s = per_second(t.voluntary_switches + t.involuntary_switches);
      rows.push_back(std::move(row));
    }
    break;
  }
  return rows;
}

const ProcessRow* DashboardModel::process(int pid) const {
  for (const ProcessRow& p : processes_)
    if (p.pid == pid) return &p;
  return nullptr;
}

}  // namespace aurora::dashboard
