#include "aggregator.hpp"

#include <time.h>

#include <algorithm>
#include <set>

#include "locality_score.hpp"

namespace aurora::pipeline {

namespace {

std::uint64_t minus(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

NodeCounters minus(const NodeCounters& now, const NodeCounters* before) {
  NodeCounters out;
  for (const auto& [node, value] : now) {
    std::uint64_t base = 0;
    if (before)
      if (auto it = before->find(node); it != before->end()) base = it->second;
    if (const std::uint64_t d = minus(value, base); d > 0) out[node] = d;
  }
  return out;
}

void add_into(NodeCounters& into, const NodeCounters& from) {
  for (const auto& [node, value] : from) into[node] += value;
}

std::uint64_t total(const NodeCounters& counters) {
  std::uint64_t sum = 0;
  for (const auto& [node, value] : counters) sum += value;
  return sum;
}

bool did_anything(const ThreadCounters& d) {
  return total(d.cpu_ns_by_node) > 0 || d.voluntary_switches > 0 || d.involuntary_switches > 0 ||
         d.migrations > 0 || d.numa_faults_local > 0 || d.numa_faults_remote > 0 ||
         d.numa_moves > 0 || d.numa_stick > 0 || d.pages_migrated > 0;
}

ThreadSample to_sample(const ThreadCounters& d) {
  ThreadSample t;
  t.tid = d.tid;
  t.comm = d.comm;
  t.cpu_ns_by_node = d.cpu_ns_by_node;
  t.last_cpu = d.last_cpu;
  t.last_node = d.last_node;
  t.voluntary_switches = d.voluntary_switches;
  t.involuntary_switches = d.involuntary_switches;
  t.runqueue_wait_ns = d.runqueue_wait_ns;
  t.migrations = d.migrations;
  t.cross_llc_migrations = d.cross_llc_migrations;
  t.cross_node_migrations = d.cross_node_migrations;
  t.numa_faults_local = d.numa_faults_local;
  t.numa_faults_remote = d.numa_faults_remote;
  t.numa_moves = d.numa_moves;
  t.numa_stick = d.numa_stick;
  t.pages_migrated = d.pages_migrated;
  return t;
}

std::uint64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

ThreadCounters thread_delta(const ThreadCounters& now, const ThreadCounters* before) {
  ThreadCounters d = now;  // identity, comm and last position are the current ones
  if (!before) return d;
  d.cpu_ns_by_node = minus(now.cpu_ns_by_node, &before->cpu_ns_by_node);
  d.voluntary_switches = minus(now.voluntary_switches, before->voluntary_switches);
  d.involuntary_switches = minus(now.involuntary_switches, before->involuntary_switches);
  d.runqueue_wait_ns = minus(now.runqueue_wait_ns, before->runqueue_wait_ns);
  d.migrations = minus(now.migrations, before->migrations);
  d.cross_llc_migrations = minus(now.cross_llc_migrations, before->cross_llc_migrations);
  d.cross_node_migrations = minus(now.cross_node_migrations, before->cross_node_migrations);
  d.numa_faults_local = minus(now.numa_faults_local, before->numa_faults_local);
  d.numa_faults_remote = minus(now.numa_faults_remote, before->numa_faults_remote);
  d.numa_moves = minus(now.numa_moves, before->numa_moves);
  d.numa_stick = minus(now.numa_stick, before->numa_stick);
  d.pages_migrated = minus(now.pages_migrated, before->pages_migrated);
  return d;
}

NodeTotals node_delta(const NodeTotals& now, const NodeTotals* before) {
  if (!before) return now;
  NodeTotals d;
  d.busy_ns = minus(now.busy_ns, before->busy_ns);
  d.context_switches = minus(now.context_switches, before->context_switches);
  d.runqueue_wait_ns = minus(now.runqueue_wait_ns, before->runqueue_wait_ns);
  for (int b = 0; b < kRunqueueBuckets; ++b)
    d.runqueue_wait_hist[b] = minus(now.runqueue_wait_hist[b], before->runqueue_wait_hist[b]);
  d.numa_faults_local = minus(now.numa_faults_local, before->numa_faults_local);
  d.numa_faults_remote = minus(now.numa_faults_remote, before->numa_faults_remote);
  d.numa_moves_in = minus(now.numa_moves_in, before->numa_moves_in);
  d.pages_migrated_in = minus(now.pages_migrated_in, before->pages_migrated_in);
  d.task_migrations_in = minus(now.task_migrations_in, before->task_migrations_in);
  return d;
}

Snapshot Aggregator::aggregate(const KernelReading& reading, const DrainedEvents& drained,
                               ProcessInfoSource& info, const NodeMemory& memory,
                               const std::optional<VmstatNuma>& vmstat,
                               std::uint64_t interval_ns) {
  Snapshot s;
  s.timestamp_ns = realtime_ns();
  s.interval_ns = interval_ns;
  s.events_lost = minus(reading.events_lost, reported_events_lost_);
  s.threads_dropped = minus(reading.threads_dropped, reported_threads_dropped_);
  reported_events_lost_ = reading.events_lost;
  reported_threads_dropped_ = reading.threads_dropped;

  // Threads: exited ones first (their final counters), then the live map. A (tid, start) that
  // exited is never taken from the live reading again.
  std::map<int, std::vector<ThreadCounters>> by_pid;
  std::set<std::pair<int, std::uint64_t>> exited;
  auto account = [&](const ThreadCounters& now, bool is_exit) {
    auto it = reported_.find(now.tid);
    const bool same_thread = it != reported_.end() && it->second.start_time_ns == now.start_time_ns;
    ThreadCounters d = thread_delta(now, same_thread ? &it->second.counters : nullptr);
    if (is_exit) {
      if (it != reported_.end() && same_thread) reported_.erase(it);
      exited.insert({now.tid, now.start_time_ns});
    } else {
      reported_[now.tid] = {now.start_time_ns, now, 0};
    }
    if (did_anything(d)) by_pid[d.tgid].push_back(std::move(d));
  };
  for (const ThreadCounters& t : drained.exits) account(t, true);
  std::set<int> live_tids;
  for (const ThreadCounters& t : reading.threads) {
    if (exited.count({t.tid, t.start_time_ns})) continue;
    live_tids.insert(t.tid);
    account(t, false);
  }
  // A thread missing from the map may have exited after the events were drained (its exit
  // event comes next interval and needs this baseline); one missing for two intervals lost
  // its exit event: forget it.
  for (auto it = reported_.begin(); it != reported_.end();) {
    if (live_tids.count(it->first)) {
      it->second.intervals_missing = 0;
      ++it;
    } else if (++it->second.intervals_missing > 1) {
      it = reported_.erase(it);
    } else {
      ++it;
    }
  }

  std::vector<int> shown_pids;
  for (auto& [pid, threads] : by_pid) {
    ProcessSample p;
    p.pid = pid;
    std::sort(threads.begin(), threads.end(),
              [](const ThreadCounters& a, const ThreadCounters& b) { return a.tid < b.tid; });
    p.comm = threads.front().comm;
    for (const ThreadCounters& t : threads)
      if (t.tid == pid) p.comm = t.comm;
    std::uint64_t faults_local = 0, faults_remote = 0, pages_migrated = 0;
    for (const ThreadCounters& t : threads) {
      add_into(p.cpu_ns_by_node, t.cpu_ns_by_node);
      faults_local += t.numa_faults_local;
      faults_remote += t.numa_faults_remote;
      pages_migrated += t.pages_migrated;
      p.numa_moves += t.numa_moves;
      p.cross_node_migrations += t.cross_node_migrations;
      if (config_.thread_samples) p.thread_samples.push_back(to_sample(t));
    }
    p.home_node = home_node_of(p.cpu_ns_by_node);
    p.threads = static_cast<int>(threads.size());
    if (pages_migrated > 0) info.memory_moved(pid);
    const std::optional<ProcessInfo> details = info.describe(pid);
    const ProcSchedNuma* sched = nullptr;
    if (details) {
      if (!details->comm.empty()) p.comm = details->comm;
      p.cgroup = details->cgroup;
      p.container = details->container;
      if (details->threads > 0) p.threads = details->threads;
      if (details->memory_bytes_by_node) p.memory_bytes_by_node = *details->memory_bytes_by_node;
      p.file_bytes_by_node = details->file_bytes_by_node;
      if (details->sched_numa) sched = &*details->sched_numa;
      shown_pids.push_back(pid);
    }
    if (config_.faults_from_bpf) {
      p.numa_faults_local = faults_local;
      p.numa_faults_remote = faults_remote;
    } else if (sched) {
      // AutoNUMA's decaying per-node statistics: faults on the home node's memory are local.
      const int node = p.home_node >= 0 ? p.home_node : sched->current_node;
      for (const NumaFaultsOnNode& f : sched->faults)
        (f.node == node ? p.numa_faults_local : p.numa_faults_remote) += f.task_total();
    }
    if (config_.pages_migrated_from_bpf) {
      p.pages_migrated = pages_migrated;
    } else if (sched) {
      auto [it, first] = reported_proc_pages_migrated_.try_emplace(pid, sched->numa_pages_migrated);
      p.pages_migrated = first ? 0 : minus(sched->numa_pages_migrated, it->second);
      it->second = sched->numa_pages_migrated;
    }
    const LocalityScore score =
        score_locality(config_.faults_from_bpf, p.numa_faults_local, p.numa_faults_remote, sched,
                       p.home_node, p.cpu_ns_by_node, p.memory_bytes_by_node);
    p.locality = score.value;
    p.locality_source = score.source;
    s.processes.push_back(std::move(p));
  }
  info.end_interval(shown_pids);
  for (auto it = reported_proc_pages_migrated_.begin(); it != reported_proc_pages_migrated_.end();)
    it = std::binary_search(shown_pids.begin(), shown_pids.end(), it->first)
             ? std::next(it)
             : reported_proc_pages_migrated_.erase(it);

  // Cgroups: the processes above, grouped by their cgroup path.
  std::map<std::string, CgroupSample> cgroups;
  std::map<std::string, std::pair<double, double>> weighted_locality;  // sum(l*cpu), sum(cpu)
  for (const ProcessSample& p : s.processes) {
    const std::string path = p.cgroup.empty() ? "?" : p.cgroup;
    CgroupSample& c = cgroups[path];
    c.path = path;
    c.container = p.container;
    c.processes += 1;
    c.threads += p.threads;
    add_into(c.cpu_ns_by_node, p.cpu_ns_by_node);
    add_into(c.memory_bytes_by_node, p.memory_bytes_by_node);
    c.numa_faults_local += p.numa_faults_local;
    c.numa_faults_remote += p.numa_faults_remote;
    if (p.locality) {
      const double cpu = static_cast<double>(std::max<std::uint64_t>(total(p.cpu_ns_by_node), 1));
      weighted_locality[path].first += *p.locality * cpu;
      weighted_locality[path].second += cpu;
    }
  }
  for (auto& [path, c] : cgroups) {
    if (config_.faults_from_bpf) c.locality = locality_from_faults(c.numa_faults_local, c.numa_faults_remote);
    if (!c.locality)
      if (auto it = weighted_locality.find(path); it != weighted_locality.end() && it->second.second > 0)
        c.locality = it->second.first / it->second.second;
    s.cgroups.push_back(std::move(c));
  }

  // Nodes: every node with counters or memory figures.
  std::set<int> node_ids;
  for (const auto& [node, totals] : reading.nodes) node_ids.insert(node);
  for (const auto& [node, figures] : memory) node_ids.insert(node);
  for (int node : node_ids) {
    NodeSample n;
    n.id = node;
    if (auto it = reading.nodes.find(node); it != reading.nodes.end()) {
      auto before = reported_nodes_.find(node);
      const NodeTotals d =
          node_delta(it->second, before == reported_nodes_.end() ? nullptr : &before->second);
      reported_nodes_[node] = it->second;
      n.cpu_busy_ns = d.busy_ns;
      n.context_switches = d.context_switches;
      n.runqueue_wait_ns = d.runqueue_wait_ns;
      n.numa_faults_local = d.numa_faults_local;
      n.numa_faults_remote = d.numa_faults_remote;
      n.numa_moves = d.numa_moves_in;
      n.pages_migrated = d.pages_migrated_in;
      int last = kRunqueueBuckets - 1;
      while (last >= 0 && d.runqueue_wait_hist[last] == 0) --last;
      n.runqueue_wait_log2_ns.assign(d.runqueue_wait_hist.begin(),
                                     d.runqueue_wait_hist.begin() + (last + 1));
    }
    if (auto it = memory.find(node); it != memory.end()) {
      n.memory_total_bytes = it->second.first;
      n.memory_free_bytes = it->second.second;
    }
    s.nodes.push_back(std::move(n));
  }

  // System-wide: page migrations by reason (BPF) and AutoNUMA counters (/proc/vmstat).
  for (int reason = 0; reason < kMigrateReasons; ++reason) {
    const std::uint64_t d =
        minus(reading.pages_by_reason[reason], reported_pages_by_reason_[reason]);
    if (d > 0) s.system.pages_migrated_by_reason[migrate_reason_name(reason)] = d;
  }
  reported_pages_by_reason_ = reading.pages_by_reason;
  if (vmstat) {
    if (reported_vmstat_) {
      s.system.numa_hint_faults = minus(vmstat->numa_hint_faults, reported_vmstat_->numa_hint_faults);
      s.system.numa_hint_faults_local =
          minus(vmstat->numa_hint_faults_local, reported_vmstat_->numa_hint_faults_local);
      s.system.numa_pages_migrated =
          minus(vmstat->numa_pages_migrated, reported_vmstat_->numa_pages_migrated);
    }
    reported_vmstat_ = vmstat;
  }

  for (const PipelineEvent& e : drained.events)
    s.events.push_back({e.kind, e.tid, e.pid, e.src_node, e.dst_node, e.pages, e.detail});
  return s;
}

std::string migrate_reason_name(int reason) {
  static const char* const kNames[] = {"compaction",     "memory_failure", "memory_hotplug",
                                       "syscall_or_cpuset", "mempolicy_mbind", "numa_misplaced",
                                       "contig_range",   "longterm_pin",   "demotion",
                                       "damon"};
  if (reason >= 0 && reason < static_cast<int>(std::size(kNames))) return kNames[reason];
  return "reason_" + std::to_string(reason);
}

}  // namespace aurora::pipeline
