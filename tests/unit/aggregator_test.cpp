// The aggregator's arithmetic: cumulative kernel counters to per-interval snapshots.
#include "pipeline/aggregator.hpp"

#include <gtest/gtest.h>

#include "pipeline/locality_score.hpp"

namespace aurora::pipeline {
namespace {

class FixedInfo final : public ProcessInfoSource {
 public:
  std::map<int, ProcessInfo> processes;
  std::vector<int> last_interval;
  std::optional<ProcessInfo> describe(int pid) override {
    auto it = processes.find(pid);
    if (it == processes.end()) return std::nullopt;
    return it->second;
  }
  void end_interval(const std::vector<int>& pids) override { last_interval = pids; }
  std::vector<int> moved;
  void memory_moved(int pid) override { moved.push_back(pid); }
};

ThreadCounters thread(int tid, int tgid, NodeCounters cpu, std::uint64_t start = 1000) {
  ThreadCounters t;
  t.tid = tid;
  t.tgid = tgid;
  t.start_time_ns = start;
  t.comm = "t" + std::to_string(tid);
  t.cpu_ns_by_node = std::move(cpu);
  return t;
}

const ProcessSample* process(const Snapshot& s, int pid) {
  for (const ProcessSample& p : s.processes)
    if (p.pid == pid) return &p;
  return nullptr;
}

TEST(Aggregator, ReportsDifferencesBetweenReadings) {
  Aggregator aggregator({});
  FixedInfo info;
  KernelReading first;
  first.threads = {thread(10, 10, {{0, 100}}), thread(11, 10, {{0, 50}, {1, 25}})};
  Snapshot s1 = aggregator.aggregate(first, {}, info, {}, std::nullopt, 1000);
  ASSERT_NE(process(s1, 10), nullptr);
  EXPECT_EQ(process(s1, 10)->cpu_ns_by_node, (NodeCounters{{0, 150}, {1, 25}}));

  KernelReading second;
  second.threads = {thread(10, 10, {{0, 400}}), thread(11, 10, {{0, 50}, {1, 325}})};
  Snapshot s2 = aggregator.aggregate(second, {}, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s2, 10);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->cpu_ns_by_node, (NodeCounters{{0, 300}, {1, 300}}));
  EXPECT_EQ(p->home_node, 0);  // a tie goes to the lower id
  ASSERT_EQ(p->thread_samples.size(), 2u);
  EXPECT_EQ(p->thread_samples[1].cpu_ns_by_node, (NodeCounters{{1, 300}}));

  // Nothing changed: the process did not run and is not shown.
  Snapshot s3 = aggregator.aggregate(second, {}, info, {}, std::nullopt, 1000);
  EXPECT_EQ(process(s3, 10), nullptr);
}

TEST(Aggregator, ExitedThreadIsCountedOnceFromItsFinalCounters) {
  Aggregator aggregator({});
  FixedInfo info;
  KernelReading reading;
  reading.threads = {thread(20, 20, {{0, 100}}), thread(21, 20, {{0, 200}})};
  aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);

  DrainedEvents drained;
  drained.exits = {thread(21, 20, {{0, 260}})};
  KernelReading after;
  after.threads = {thread(20, 20, {{0, 100}})};
  Snapshot s = aggregator.aggregate(after, drained, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s, 20);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->cpu_ns_by_node, (NodeCounters{{0, 60}}));

  // A later thread reusing tid 21 (another start time) starts from zero.
  KernelReading reused;
  reused.threads = {thread(20, 20, {{0, 100}}), thread(21, 20, {{0, 5}}, /*start=*/9999)};
  Snapshot s2 = aggregator.aggregate(reused, {}, info, {}, std::nullopt, 1000);
  ASSERT_NE(process(s2, 20), nullptr);
  EXPECT_EQ(process(s2, 20)->cpu_ns_by_node, (NodeCounters{{0, 5}}));
}

TEST(Aggregator, ThreadMissingOneIntervalKeepsItsBaselineForALateExit) {
  Aggregator aggregator({});
  FixedInfo info;
  KernelReading reading;
  reading.threads = {thread(30, 30, {{0, 1000}})};
  aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  // It exited after the events were drained: gone from the map, no exit event yet.
  Snapshot gap = aggregator.aggregate(KernelReading{}, {}, info, {}, std::nullopt, 1000);
  EXPECT_EQ(process(gap, 30), nullptr);
  DrainedEvents drained;
  drained.exits = {thread(30, 30, {{0, 1100}})};
  Snapshot s = aggregator.aggregate(KernelReading{}, drained, info, {}, std::nullopt, 1000);
  ASSERT_NE(process(s, 30), nullptr);
  EXPECT_EQ(process(s, 30)->cpu_ns_by_node, (NodeCounters{{0, 100}}));
}

TEST(Aggregator, NodesCountersAndLossAreIntervalDifferences) {
  Aggregator aggregator({});
  FixedInfo info;
  KernelReading a;
  a.nodes[0].busy_ns = 1000;
  a.nodes[0].runqueue_wait_hist[3] = 2;
  a.events_lost = 5;
  a.pages_by_reason[5] = 7;
  aggregator.aggregate(a, {}, info, {}, std::nullopt, 1000);
  KernelReading b = a;
  b.nodes[0].busy_ns = 1600;
  b.nodes[0].runqueue_wait_hist[3] = 5;
  b.nodes[0].runqueue_wait_hist[10] = 1;
  b.events_lost = 9;
  b.pages_by_reason[5] = 10;
  Snapshot s = aggregator.aggregate(b, {}, info, {{0, {8000, 3000}}}, std::nullopt, 1000);
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.nodes[0].cpu_busy_ns, 600u);
  EXPECT_EQ(s.nodes[0].memory_free_bytes, 3000u);
  ASSERT_EQ(s.nodes[0].runqueue_wait_log2_ns.size(), 11u);  // trailing empty buckets cut
  EXPECT_EQ(s.nodes[0].runqueue_wait_log2_ns[3], 3u);
  EXPECT_EQ(s.nodes[0].runqueue_wait_log2_ns[10], 1u);
  EXPECT_EQ(s.events_lost, 4u);
  EXPECT_EQ(s.system.pages_migrated_by_reason.at("numa_misplaced"), 3u);
}

TEST(Aggregator, ProcessDetailsCgroupsAndPlacementLocality) {
  Aggregator aggregator({});
  FixedInfo info;
  ProcessInfo web;
  web.comm = "web";
  web.cgroup = "/system.slice/docker-abc.scope";
  web.container = "abc";
  web.threads = 4;
  web.memory_bytes_by_node = NodeCounters{{0, 300}, {1, 100}};
  info.processes[40] = web;
  KernelReading reading;
  reading.threads = {thread(40, 40, {{0, 750}, {1, 250}})};
  Snapshot s = aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s, 40);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "web");
  EXPECT_EQ(p->threads, 4);
  EXPECT_EQ(p->container, "abc");
  // 0.75 * 0.75 + 0.25 * 0.25
  ASSERT_TRUE(p->locality);
  EXPECT_DOUBLE_EQ(*p->locality, 0.625);
  EXPECT_EQ(p->locality_source, kLocalityFromPlacement);
  ASSERT_EQ(s.cgroups.size(), 1u);
  EXPECT_EQ(s.cgroups[0].path, "/system.slice/docker-abc.scope");
  EXPECT_EQ(s.cgroups[0].processes, 1);
  EXPECT_DOUBLE_EQ(*s.cgroups[0].locality, 0.625);
  EXPECT_EQ(info.last_interval, std::vector<int>{40});
}

TEST(Aggregator, BpfFaultsDecideLocalityWhenFentryWorks) {
  Aggregator aggregator({.faults_from_bpf = true});
  FixedInfo info;
  ThreadCounters t = thread(50, 50, {{0, 10}});
  t.numa_faults_local = 300;
  t.numa_faults_remote = 100;
  KernelReading reading;
  reading.threads = {t};
  Snapshot s = aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s, 50);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->numa_faults_local, 300u);
  EXPECT_EQ(p->numa_faults_remote, 100u);
  EXPECT_DOUBLE_EQ(*p->locality, 0.75);
  EXPECT_EQ(p->locality_source, kLocalityFromBpfFaults);
}

TEST(Aggregator, ProcSchedFaultsAreTheFallbackSignal) {
  Aggregator aggregator({});
  FixedInfo info;
  ProcessInfo details;
  ProcSchedNuma sched;
  sched.available = true;
  sched.faults = {{0, 10, 10, 0, 0}, {1, 60, 0, 0, 0}};
  details.sched_numa = sched;
  info.processes[60] = details;
  KernelReading reading;
  reading.threads = {thread(60, 60, {{1, 500}})};
  Snapshot s = aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s, 60);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->home_node, 1);
  EXPECT_EQ(p->numa_faults_local, 60u);   // faults on the home node's memory
  EXPECT_EQ(p->numa_faults_remote, 20u);
  EXPECT_DOUBLE_EQ(*p->locality, 0.75);
  EXPECT_EQ(p->locality_source, kLocalityFromProcSched);
}

// With fentry, a quiet interval (no hinting faults) must not fall back to /proc/PID/sched: that
// is the main thread's decaying history, which in the 2-node guest said 0.02-0.05 for a
// workload whose worker threads had every page local. The placement score decides instead.
TEST(Aggregator, WithFentryAQuietIntervalIgnoresProcSched) {
  Aggregator aggregator({.faults_from_bpf = true});
  FixedInfo info;
  ProcessInfo details;
  ProcSchedNuma sched;
  sched.available = true;
  sched.faults = {{0, 20, 0, 0, 0}, {1, 1, 0, 0, 0}};
  details.sched_numa = sched;
  details.memory_bytes_by_node = NodeCounters{{1, 64u << 20}};
  info.processes[70] = details;
  KernelReading reading;
  reading.threads = {thread(70, 70, {{1, 500}})};
  Snapshot s = aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  const ProcessSample* p = process(s, 70);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->numa_faults_local, 0u);
  EXPECT_EQ(p->numa_faults_remote, 0u);
  ASSERT_TRUE(p->locality);
  EXPECT_DOUBLE_EQ(*p->locality, 1.0);
  EXPECT_EQ(p->locality_source, kLocalityFromPlacement);
}

// Pages that migrated make the cached numa_maps figures stale: the aggregator says so before
// describing the process, and only for processes whose pages moved.
TEST(Aggregator, MigratedPagesRefreshMemoryFigures) {
  Aggregator aggregator({.faults_from_bpf = true});
  FixedInfo info;
  ThreadCounters moved = thread(80, 80, {{1, 100}});
  moved.pages_migrated = 512;
  KernelReading reading;
  reading.threads = {moved, thread(81, 81, {{0, 100}})};
  aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);
  EXPECT_EQ(info.moved, std::vector<int>{80});
  info.moved.clear();
  aggregator.aggregate(reading, {}, info, {}, std::nullopt, 1000);  // nothing new migrated
  EXPECT_TRUE(info.moved.empty());
}

TEST(LocalityScore, NoSignalNoScore) {
  EXPECT_FALSE(locality_from_faults(0, 0));
  EXPECT_FALSE(locality_from_placement({{0, 10}}, {}));
  EXPECT_FALSE(locality_from_placement({}, {{0, 10}}));
  const LocalityScore none = score_locality(true, 0, 0, nullptr, -1, {}, {});
  EXPECT_FALSE(none.value);
  EXPECT_EQ(none.source, "");
  EXPECT_EQ(home_node_of({}), -1);
  EXPECT_EQ(home_node_of({{2, 5}, {0, 4}}), 2);
}

TEST(LocalityScore, SmallFaultSampleFallsBackToPlacement) {
  EXPECT_FALSE(locality_from_faults(2, kMinimumFaultSample - 3));
  EXPECT_DOUBLE_EQ(*locality_from_faults(0, kMinimumFaultSample), 0.0);
  const LocalityScore few = score_locality(true, 2, 7, nullptr, 1, {{1, 100}}, {{1, 4096}});
  EXPECT_EQ(few.source, kLocalityFromPlacement);
  EXPECT_DOUBLE_EQ(*few.value, 1.0);
  const LocalityScore many = score_locality(true, 20, 80, nullptr, 1, {{1, 100}}, {{1, 4096}});
  EXPECT_EQ(many.source, kLocalityFromBpfFaults);
  EXPECT_DOUBLE_EQ(*many.value, 0.2);
}

TEST(LocalityScore, RemoteOnlyPlacementIsZero) {
  EXPECT_DOUBLE_EQ(*locality_from_placement({{0, 100}}, {{1, 4096}}), 0.0);
  EXPECT_DOUBLE_EQ(*locality_from_placement({{1, 100}}, {{1, 4096}}), 1.0);
}

}  // namespace
}  // namespace aurora::pipeline
