#include "dashboard/view_model.hpp"

#include <gtest/gtest.h>

#include "dashboard/snapshot_window.hpp"
#include "synthetic_recording.hpp"

namespace aurora::dashboard {
namespace {

Topology two_nodes() {
  Topology t;
  t.nodes.push_back({0, {0, 1}, 8ull << 30, 2ull << 30, {}, {}, {{0, 10}, {1, 21}}, "DRAM"});
  t.nodes.push_back({1, {2, 3}, 8ull << 30, 6ull << 30, {}, {}, {{0, 21}, {1, 10}}, "DRAM"});
  for (int cpu = 0; cpu < 4; ++cpu) t.cpus.push_back({cpu, cpu / 2, 0, cpu, cpu / 2, {cpu}});
  return t;
}

Snapshot two_second_snapshot() {
  Snapshot s;
  s.timestamp_ns = 10'000'000'000;
  s.interval_ns = 2'000'000'000;
  NodeSample n0;
  n0.id = 0;
  n0.cpu_busy_ns = 1'000'000'000;  // 1 s busy of 2 CPUs x 2 s = 25%
  n0.numa_faults_local = 600;
  n0.numa_faults_remote = 300;
  n0.numa_moves = 4;
  n0.pages_migrated = 2000;
  s.nodes.push_back(n0);
  ProcessSample p;
  p.pid = 42;
  p.comm = "worker";
  p.cgroup = "/system.slice/worker.service";
  p.threads = 2;
  p.cpu_ns_by_node = {{0, 2'000'000'000}, {1, 1'000'000'000}};  // 3 s in 2 s = 150%
  p.memory_bytes_by_node = {{0, 3ull << 30}, {1, 1ull << 30}};
  p.numa_faults_remote = 50;
  p.cross_node_migrations = 8;
  p.locality = 0.75;
  ThreadSample t;
  t.tid = 43;
  t.comm = "worker-1";
  t.cpu_ns_by_node = {{1, 500'000'000}};
  t.last_cpu = 3;  // last_node left -1: the topology says CPU 3 is on node 1
  t.numa_faults_local = 30;
  t.numa_faults_remote = 10;
  t.runqueue_wait_ns = 4'000'000;
  p.thread_samples.push_back(t);
  s.processes.push_back(p);
  return s;
}

TEST(DashboardModel, RatesDivideCountersByTheWindow) {
  DashboardModel model(two_nodes());
  model.update(two_second_snapshot());
  ASSERT_EQ(model.nodes().size(), 2u);
  const NodeRow& n0 = model.nodes()[0];
  ASSERT_TRUE(n0.cpu_busy_fraction);
  EXPECT_DOUBLE_EQ(*n0.cpu_busy_fraction, 0.25);
  EXPECT_DOUBLE_EQ(*n0.local_faults_per_s, 300.0);
  EXPECT_DOUBLE_EQ(*n0.remote_faults_per_s, 150.0);
  EXPECT_DOUBLE_EQ(*n0.moves_per_s, 2.0);
  EXPECT_DOUBLE_EQ(*n0.pages_migrated_per_s, 1000.0);
  // Node 1 has no sample this window: no rates, not zero.
  EXPECT_FALSE(model.nodes()[1].remote_faults_per_s);
  const ProcessRow* p = model.process(42);
  ASSERT_NE(p, nullptr);
  EXPECT_DOUBLE_EQ(p->cpu_percent, 150.0);
  EXPECT_DOUBLE_EQ(*p->remote_faults_per_s, 25.0);
  EXPECT_DOUBLE_EQ(*p->node_migrations_per_s, 4.0);
  EXPECT_EQ(p->memory_bytes, 4ull << 30);
  EXPECT_EQ(p->memory_by_node, (std::vector<std::uint64_t>{3ull << 30, 1ull << 30}));
  EXPECT_EQ(p->home_node, 0);  // the node it ran on most
  EXPECT_EQ(model.nodes()[0].home_processes, 1);
}

TEST(DashboardModel, ThreadRowsTakeTheirNodeFromTheTopology) {
  DashboardModel model(two_nodes());
  model.update(two_second_snapshot());
  const auto threads = model.threads_of(42);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0].last_node, 1);
  EXPECT_EQ(threads[0].home_node, 1);
  EXPECT_DOUBLE_EQ(threads[0].cpu_percent, 25.0);
  EXPECT_DOUBLE_EQ(*threads[0].locality, 0.75);
  EXPECT_DOUBLE_EQ(*threads[0].runqueue_wait_ms_per_s, 2.0);
  EXPECT_TRUE(model.threads_of(999).empty());
}

TEST(DashboardModel, WithoutAnIntervalRatesComeFromConsecutiveTimestamps) {
  DashboardModel model(two_nodes());
  Snapshot first = two_second_snapshot();
  first.interval_ns = 0;
  model.update(first);
  EXPECT_FALSE(model.window_seconds());  // nothing says how long: rates absent
  EXPECT_FALSE(model.process(42)->remote_faults_per_s);
  Snapshot second = first;
  second.timestamp_ns = first.timestamp_ns + 5'000'000'000;
  model.update(second);
  ASSERT_TRUE(model.window_seconds());
  EXPECT_DOUBLE_EQ(*model.window_seconds(), 5.0);
  EXPECT_DOUBLE_EQ(*model.process(42)->remote_faults_per_s, 10.0);
}

TEST(DashboardModel, MergedWindowsAddCountersAndDropExitedProcesses) {
  Snapshot older = two_second_snapshot();
  ProcessSample gone;
  gone.pid = 77;
  older.processes.push_back(gone);
  Snapshot newer = two_second_snapshot();
  newer.processes[0].memory_bytes_by_node = {{1, 5ull << 30}};  // a level: the newest wins
  merge_older_into(newer, older);
  EXPECT_EQ(newer.interval_ns, 4'000'000'000u);
  EXPECT_EQ(newer.nodes[0].numa_faults_remote, 600u);
  ASSERT_EQ(newer.processes.size(), 1u);
  EXPECT_EQ(newer.processes[0].numa_faults_remote, 100u);
  EXPECT_EQ(newer.processes[0].thread_samples[0].numa_faults_local, 60u);
  EXPECT_EQ(newer.processes[0].memory_bytes_by_node.at(1), 5ull << 30);
  DashboardModel model(two_nodes());
  model.update(newer);
  EXPECT_DOUBLE_EQ(model.process(42)->cpu_percent, 150.0);  // 6 s of CPU over 4 s
}

TEST(DashboardModel, CgroupsRollUpFromProcessesWhenTheSourceSentNone) {
  Snapshot s = two_second_snapshot();
  ProcessSample other = s.processes[0];
  other.pid = 50;
  other.locality = 0.25;
  s.processes.push_back(other);
  ProcessSample elsewhere = s.processes[0];
  elsewhere.pid = 60;
  elsewhere.cgroup = "/other";
  s.processes.push_back(elsewhere);
  DashboardModel model(two_nodes());
  model.update(s);
  ASSERT_EQ(model.cgroups().size(), 2u);
  const CgroupRow& worker = model.cgroups()[1];
  EXPECT_EQ(worker.path, "/system.slice/worker.service");
  EXPECT_EQ(worker.processes, 2);
  EXPECT_EQ(worker.threads, 4);
  EXPECT_DOUBLE_EQ(worker.cpu_percent, 300.0);
  EXPECT_DOUBLE_EQ(*worker.locality, 0.5);  // equal memory: the plain mean
  EXPECT_EQ(worker.memory_bytes, 8ull << 30);
}

TEST(DashboardModel, SyntheticRecordingHasTheRequestedShape) {
  synthetic::Spec spec;
  spec.nodes = 8;
  spec.processes = 40;
  spec.threads = 10000;
  DashboardModel model(synthetic::make_topology(spec));
  model.update(synthetic::make_snapshot(spec, 0));
  EXPECT_EQ(model.node_ids().size(), 8u);
  EXPECT_EQ(model.processes().size(), 40u);
  EXPECT_EQ(model.total_threads(), 10000u);
  EXPECT_EQ(model.threads_of(1000).size(), 2500u);
  model.update(synthetic::make_snapshot(spec, 1));
  EXPECT_EQ(model.processes().size(), 39u);  // the last one exited
  EXPECT_EQ(model.process(1039), nullptr);
}

}  // namespace
}  // namespace aurora::dashboard
