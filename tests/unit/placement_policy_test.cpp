// The placement policy on hand-built snapshots: each test sets up one situation the issue names
// and checks the decision the policy makes and the figures it gives for it.
#include "aurora/coordinator/placement_policy.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "aurora/coordinator/sim_shapes.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;
constexpr std::uint64_t kSecond = 1'000'000'000ull;

ProcessSample process(int pid, std::map<int, double> cpus_by_node, std::map<int, std::uint64_t> mib_by_node,
                      int threads = 2) {
  ProcessSample p;
  p.pid = pid;
  p.comm = "worker" + std::to_string(pid);
  p.cgroup = "/system.slice/app.service";
  p.threads = threads;
  for (auto [node, cpus] : cpus_by_node) p.cpu_ns_by_node[node] = static_cast<std::uint64_t>(cpus * kSecond);
  for (auto [node, mib] : mib_by_node) p.memory_bytes_by_node[node] = mib * kMiB;
  p.numa_faults_local = 1000;  // memory-bound: faults per CPU-second above the threshold
  return p;
}

Snapshot snapshot_of(std::vector<ProcessSample> processes) {
  Snapshot s;
  s.interval_ns = kSecond;
  s.processes = std::move(processes);
  return s;
}

// The node figures the pipeline reports: free memory is what the processes leave.
Snapshot with_nodes(Snapshot s, const Topology& t) {
  for (const auto& n : t.nodes) {
    NodeSample sample;
    sample.id = n.id;
    sample.memory_total_bytes = n.memory_total_bytes;
    std::uint64_t used = 0;
    for (const auto& p : s.processes)
      if (auto it = p.memory_bytes_by_node.find(n.id); it != p.memory_bytes_by_node.end()) used += it->second;
    sample.memory_free_bytes = n.memory_total_bytes - used;
    s.nodes.push_back(sample);
  }
  return s;
}

// Hints for pids 100 and 200 sharing one object (`key`), each mapping `mib` of it on node 0
// (`second_mib` for 200 where the two map different amounts of it).
PolicyHints sharing_one_object(const std::string& key, std::uint64_t mib, std::uint64_t second_mib = 0) {
  PolicyHints hints;
  hints.share_group = {{100, key}, {200, key}};
  hints.shared_objects[100][key] = {{0, mib * kMiB}};
  hints.shared_objects[200][key] = {{0, (second_mib ? second_mib : mib) * kMiB}};
  return hints;
}

TEST(CostModel, RemoteShareAndWeightedDistance) {
  const Topology t = make_uniform_topology(2, 4, 8 * kGiB, 21);
  const NodeTable nodes = NodeTable::from_topology(t);
  EXPECT_DOUBLE_EQ(remote_share(all_on(2, 1), all_on(2, 0)), 1.0);
  EXPECT_DOUBLE_EQ(remote_share(all_on(2, 0), all_on(2, 0)), 0.0);
  EXPECT_NEAR(remote_share({0.5, 0.5}, {0.25, 0.75}), 0.5, 1e-12);
  EXPECT_NEAR(weighted_distance(nodes, all_on(2, 1), all_on(2, 0)), 2.1, 1e-12);
  EXPECT_NEAR(weighted_distance(nodes, {0.5, 0.5}, all_on(2, 0)), 1.55, 1e-12);
}

TEST(CostModel, LongMigrationAtLowBudgetSavesLess) {
  CostParameters p;
  const CostEstimate fast = estimate_move(2.0, 1.0, 2.1, 1.0, 2.1, 1 * kGiB, 0, p);
  p.migration_budget_bytes_per_second = 16.0 * kMiB;
  const CostEstimate slow = estimate_move(2.0, 1.0, 2.1, 1.0, 2.1, 1 * kGiB, 0, p);
  EXPECT_GT(fast.expected_saving_seconds, slow.expected_saving_seconds);
  EXPECT_NEAR(slow.migration_duration_seconds, 64.0, 1e-9);
  EXPECT_GT(fast.migration_cost_seconds, 0.0);
  // Half the saving rate is lost over the ramp: 1.1 CPU-s/s * (120 s - 32 s).
  EXPECT_NEAR(slow.expected_saving_seconds, 1.1 * (120 - 32), 1e-9);
}

TEST(CostModel, ObservedMigrationRateBelowTheBudgetIsWhatAMoveTakes) {
  CostParameters p;
  p.migration_observed_bytes_per_second = 20.0 * kMiB;  // the emulated guest's rate
  EXPECT_DOUBLE_EQ(migration_rate(p), 20.0 * kMiB);
  const CostEstimate e = estimate_move(2.0, 1.0, 2.1, 1.0, 2.1, 200 * kMiB, 0, p);
  EXPECT_NEAR(e.migration_duration_seconds, 10.0, 1e-9);
  // The migrating thread is busy for those 10 s.
  EXPECT_NEAR(e.migration_cost_seconds, 10.0, 1e-9);
  // Faster than the budget is still the budget.
  p.migration_observed_bytes_per_second = 10.0 * kGiB;
  EXPECT_DOUBLE_EQ(migration_rate(p), p.migration_budget_bytes_per_second);
}

TEST(CostModel, ThreadsMovedAheadOfTheirMemoryPayWhileItFollows) {
  // Nearly local (W 1.02) to all local by moving threads and memory to the other node: while
  // the 134 MiB move at 20 MiB/s, the threads run away from all of it (W 2.1). Found in the
  // 2-node guest, where the estimate without this chose such a move for a 2% remote share.
  CostParameters p;
  p.migration_observed_bytes_per_second = 20.0 * kMiB;
  const CostEstimate memory_only = estimate_move(2.0, 1.0, 1.02, 1.0, 1.02, 134 * kMiB, 0, p);
  const CostEstimate both = estimate_move(2.0, 1.0, 1.02, 1.0, 2.1, 134 * kMiB, 3, p);
  EXPECT_GT(memory_only.expected_saving_seconds, 0.0);
  EXPECT_LT(both.net_gain_seconds(), 0.0);
}

TEST(Policy, MisplacedThreadsGoToTheirMemoryWhenThereIsRoom) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  const auto out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})}), {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.action, ActionKind::kMoveThreads);
  EXPECT_EQ(d.target_nodes, std::vector<int>{0});
  EXPECT_DOUBLE_EQ(d.remote_share_before, 1.0);
  EXPECT_DOUBLE_EQ(d.remote_share_after, 0.0);
  EXPECT_EQ(d.bytes_to_migrate, 0u);
  EXPECT_GT(d.estimate.net_gain_seconds(), 0.0);
  EXPECT_NE(d.summary.find("remote share 100% -> 0%"), std::string::npos) << d.summary;
  EXPECT_GE(d.evidence.size(), 5u);
}

TEST(Policy, MemoryFollowsThreadsWhenTheirNodeHasNoCpuRoom) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(200, {{0, 7.5}}, {{0, 64}}, 8)});
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].pids, std::vector<int>{100});
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  EXPECT_EQ(out.decisions[0].bytes_to_migrate, 512 * kMiB);
  EXPECT_EQ(out.decisions[0].bytes_from_node.at(0), 512 * kMiB);
  // Its threads are pinned where they run, so the scheduler keeps them with their memory...
  EXPECT_TRUE(out.decisions[0].keep_threads_there);
  EXPECT_TRUE(out.decisions[0].sets_thread_affinity());
  EXPECT_NE(out.decisions[0].summary.find("its threads are kept there"), std::string::npos) << out.decisions[0].summary;
  // ... unless the application placed them itself.
  PolicyHints hints;
  hints.threads_fixed = {100};
  PolicyState fresh;
  const auto fixed = decide(t, s, hints, {}, fresh, 0);
  ASSERT_EQ(fixed.decisions.size(), 1u);
  EXPECT_EQ(fixed.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_FALSE(fixed.decisions[0].sets_thread_affinity());
}

TEST(Policy, SmallProcessesAllowedEverywhereLeaveRoomForAMove) {
  // Node 0 holds the memory of pid 100, whose threads run on node 1; 7.5 of node 0's 8 CPUs are
  // wanted by a small process (32 MiB). Allowed on every node, the load balancer takes it to
  // node 1's CPUs, idle once pid 100 has left them: the threads go to their memory.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(200, {{0, 7.5}}, {{0, 32}}, 8)});
  PolicyHints hints;
  hints.allowed_cpus[200] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  PolicyState state;
  const auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.action, ActionKind::kMoveThreads) << d.summary;
  EXPECT_EQ(d.target_nodes, std::vector<int>{0});
  EXPECT_EQ(d.bytes_to_migrate, 0u);
  const bool names_it = std::any_of(d.evidence.begin(), d.evidence.end(), [](const std::string& line) {
    return line.find("node0 7.5 of 7.2 CPUs wanted (7.5 by small processes allowed on every node)") != std::string::npos;
  });
  EXPECT_TRUE(names_it) << fmt::format("{}", fmt::join(d.evidence, "\n"));

  // The same process kept on node 0 (its mask), with an unknown mask, or too large to leave
  // its memory behind: it stays, there is no room, and the memory follows the threads.
  for (const auto& [allowed, mib] : std::vector<std::pair<std::vector<int>, std::uint64_t>>{
           {{0, 1, 2, 3, 4, 5, 6, 7}, 32}, {{}, 32}, {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 64}}) {
    Snapshot other = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(200, {{0, 7.5}}, {{0, mib}}, 8)});
    PolicyHints kept;
    if (!allowed.empty()) kept.allowed_cpus[200] = allowed;
    PolicyState fresh;
    const auto stays = decide(t, other, kept, {}, fresh, 0);
    ASSERT_EQ(stays.decisions.size(), 1u);
    EXPECT_EQ(stays.decisions[0].action, ActionKind::kMoveMemory) << allowed.size() << " CPUs allowed, " << mib << " MiB";
    EXPECT_EQ(stays.decisions[0].target_nodes, std::vector<int>{1});
  }
}

TEST(Policy, LoadTheSchedulerMovesIsPlannedOnTheNodeItGoesTo) {
  // 2-CPU nodes. Node 0: 2 CPUs wanted by small processes allowed everywhere. Node 1: pid 100
  // (2 CPUs, its memory on node 0). Node 2: pid 101 (1 CPU, its memory on node 1) and 1 CPU
  // pinned there. Moving 100 to node 0 sends the small load to node 1's CPUs, idle once 100
  // has left them; the next decision plans node 1 with that load on it, and 101 still fits
  // there, since the balancer can take the small load on to the CPU 101 leaves on node 2.
  const Topology t = make_uniform_topology(3, 2, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(101, {{2, 1.0}}, {{1, 256}}),
                            process(200, {{0, 2.0}}, {{0, 16}}, 4), process(300, {{2, 1.0}}, {{2, 16}}, 1)});
  PolicyHints hints;
  hints.allowed_cpus[200] = {0, 1, 2, 3, 4, 5};
  hints.allowed_cpus[300] = {4, 5};
  PolicyState state;
  const auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 2u);
  EXPECT_EQ(out.decisions[0].pids, std::vector<int>{100});
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0});
  const Decision& second = out.decisions[1];
  EXPECT_EQ(second.pids, std::vector<int>{101});
  EXPECT_EQ(second.action, ActionKind::kMoveThreads) << second.summary;
  EXPECT_EQ(second.target_nodes, std::vector<int>{1});
  const bool planned_there = std::any_of(second.evidence.begin(), second.evidence.end(), [](const std::string& line) {
    return line.find("node0 2.0 of 1.8 CPUs wanted, ") != std::string::npos &&
           line.find("node1 2.0 of 1.8 CPUs wanted (2.0 by small processes allowed on every node)") != std::string::npos;
  });
  EXPECT_TRUE(planned_there) << fmt::format("{}", fmt::join(second.evidence, "\n"));
}

TEST(Policy, ThreadsSpreadOverNodesGoWithTheirMemoryNotAway) {
  // Threads the scheduler spread 60/40 over two nodes, memory on node 0, node 0's CPUs full:
  // moving the memory alone to node 1 would leave 60% of the time remote and the threads free
  // to wander; threads and memory go to node 1 together.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{0, 1.2}, {1, 0.8}}, {{0, 512}}), process(200, {{0, 6.5}}, {{0, 64}}, 8)});
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveBoth) << out.decisions[0].summary;
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  EXPECT_TRUE(out.decisions[0].sets_thread_affinity());
}

TEST(Policy, ThreadsOnANodeWithoutRoomAreNotPinnedThereWithTheirMemory) {
  // Threads on node 1 whose CPUs are overbooked (8.5 wanted of 8: another process wants 6.5),
  // memory on node 0 whose CPUs are full too: moving the memory to node 1 would pin them where
  // they do not fit; left alone, the scheduler can spread them.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(200, {{1, 6.5}}, {{1, 64}}, 8),
                            process(300, {{0, 7.0}}, {{0, 64}}, 8)});
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  for (const auto& d : out.decisions) EXPECT_NE(d.pids, std::vector<int>{100}) << d.summary;
  // The same with room on node 1: the memory follows and the threads are kept there.
  s.processes[1].cpu_ns_by_node[1] = 4 * kSecond;
  PolicyState fresh;
  const auto roomy = decide(t, s, {}, {}, fresh, 0);
  ASSERT_EQ(roomy.decisions.size(), 1u);
  EXPECT_EQ(roomy.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_TRUE(roomy.decisions[0].keep_threads_there);
}

TEST(Policy, FilePagesAreNeverPlannedToMove) {
  // 512 MiB on node 0, 400 MiB of it a mapped file's page cache, which page migration leaves:
  // moving its memory to its threads moves the 112 MiB of anonymous memory only, and the
  // estimate knows the file pages stay remote.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}), process(200, {{0, 7.5}}, {{0, 64}}, 8)});
  s.processes[0].file_bytes_by_node[0] = 400 * kMiB;
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.action, ActionKind::kMoveMemory);
  EXPECT_EQ(d.bytes_to_migrate, 112 * kMiB);
  EXPECT_EQ(d.bytes_from_node.at(0), 112 * kMiB);
  EXPECT_NEAR(d.remote_share_after, 400.0 / 512.0, 1e-9);
  bool says_file = false;
  for (const auto& line : d.evidence) says_file = says_file || line.find("400 MiB of it in file mappings") != std::string::npos;
  EXPECT_TRUE(says_file);
  // All of it file pages: nothing to migrate, so no memory move is planned.
  s.processes[0].file_bytes_by_node[0] = 512 * kMiB;
  PolicyState fresh;
  for (const auto& decision : decide(t, s, {}, {}, fresh, 0).decisions)
    EXPECT_EQ(decision.bytes_to_migrate, 0u) << decision.summary;
}

TEST(Policy, BothGoToAThirdNodeWhenNeitherEndHasRoom) {
  const Topology t = make_uniform_topology(3, 8, 4 * kGiB);
  Snapshot s = with_nodes(snapshot_of({process(100, {{0, 2.0}}, {{1, 1024}}),
                                       process(200, {{0, 6.0}}, {{0, 3500}}, 6),    // node 0: CPUs and memory full
                                       process(300, {{1, 7.5}}, {{1, 2800}}, 8)}),  // node 1: CPUs and memory full
                          t);
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveBoth);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{2});
  EXPECT_NE(out.decisions[0].summary.find("third node"), std::string::npos) << out.decisions[0].summary;
}

TEST(Policy, ThresholdsScopeAndKernelThreadsKeepProcessesOut) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  // Below the CPU threshold.
  EXPECT_TRUE(decide(t, snapshot_of({process(1, {{1, 0.1}}, {{0, 512}})}), {}, {}, state, 0).decisions.empty());
  // Below the memory threshold.
  EXPECT_TRUE(decide(t, snapshot_of({process(2, {{1, 2.0}}, {{0, 16}})}), {}, {}, state, 0).decisions.empty());
  // Outside the scope.
  PolicyConfig scoped;
  scoped.scope_pids = {7};
  EXPECT_TRUE(decide(t, snapshot_of({process(3, {{1, 2.0}}, {{0, 512}})}), {}, scoped, state, 0).decisions.empty());
  PolicyConfig by_cgroup;
  by_cgroup.scope_cgroups = {"/kubepods"};
  EXPECT_TRUE(decide(t, snapshot_of({process(4, {{1, 2.0}}, {{0, 512}})}), {}, by_cgroup, state, 0).decisions.empty());
  by_cgroup.scope_cgroups = {"/system.slice"};
  EXPECT_EQ(decide(t, snapshot_of({process(5, {{1, 2.0}}, {{0, 512}})}), {}, by_cgroup, state, 0).decisions.size(), 1u);
  // A kernel thread.
  PolicyHints hints;
  hints.kernel_threads = {6};
  EXPECT_TRUE(decide(t, snapshot_of({process(6, {{1, 2.0}}, {{0, 512}})}), hints, {}, state, 0).decisions.empty());
}

TEST(Policy, NewProcessesAreWatchedBeforeTheyAreMoved) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}, 1)});
  PolicyState state;
  PolicyHints hints;
  hints.settling = state.watch(s, 10.0, 1.0).settling;
  EXPECT_EQ(hints.settling, std::set<int>{100});
  auto out = decide(t, s, hints, {}, state, 10.0);
  EXPECT_TRUE(out.decisions.empty());
  ASSERT_EQ(out.skipped.size(), 1u);
  EXPECT_NE(out.skipped[0].reason.find("new:"), std::string::npos) << out.skipped[0].reason;
  // It starts its workers: watched again from then on.
  EXPECT_EQ(state.watch(s, 10.5, 1.0).settling, std::set<int>{100});
  s.processes[0].threads = 3;
  EXPECT_EQ(state.watch(s, 11.2, 1.0).settling, std::set<int>{100});
  EXPECT_EQ(state.watch(s, 12.0, 1.0).settling, std::set<int>{100});
  hints.settling = state.watch(s, 12.2, 1.0).settling;
  EXPECT_TRUE(hints.settling.empty());
  out = decide(t, s, hints, {}, state, 12.2);
  EXPECT_EQ(out.decisions.size(), 1u);
  // An exited pid is forgotten: the same number later is a new process.
  state.prune({});
  EXPECT_EQ(state.watch(s, 20.0, 1.0).settling, std::set<int>{100});
}

// Seen unchanged over a whole interval, on one node: a thread move is decided before
// min_observed_seconds; a memory move waits for it, and says what it waits for.
TEST(Policy, SteadyNewProcessesHaveTheirThreadsMovedAtOnceTheirMemoryLater) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  ProcessSample misplaced = process(100, {{1, 2.0}}, {{0, 512}}, 3);
  misplaced.home_node = 1;
  const Snapshot alone = snapshot_of({misplaced});
  PolicyState state;
  Watched first = state.watch(alone, 10.0, 1.0);
  EXPECT_EQ(first.settling, std::set<int>{100});
  EXPECT_TRUE(first.memory_settling.empty());
  Watched second = state.watch(alone, 10.5, 1.0);
  EXPECT_TRUE(second.settling.empty());
  EXPECT_EQ(second.memory_settling, std::set<int>{100});
  PolicyHints hints;
  hints.memory_settling = second.memory_settling;
  auto out = decide(t, alone, hints, {}, state, 10.5);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads);

  // 300 runs on node 0, its memory is on node 1, where 200 leaves no room: its memory must move.
  ProcessSample busy = process(200, {{1, 7.5}}, {{1, 64}}, 8);
  busy.home_node = 1;
  ProcessSample crowded = process(300, {{0, 2.0}}, {{1, 512}}, 3);
  crowded.home_node = 0;
  const Snapshot s = snapshot_of({busy, crowded});
  PolicyState later;
  later.watch(s, 10.0, 1.0);
  hints.memory_settling = later.watch(s, 10.5, 1.0).memory_settling;
  out = decide(t, s, hints, {}, later, 10.5);
  EXPECT_TRUE(out.decisions.empty());
  const auto waiting = std::find_if(out.skipped.begin(), out.skipped.end(), [](const Skip& k) { return k.pid == 300; });
  ASSERT_NE(waiting, out.skipped.end());
  EXPECT_NE(waiting->reason.find("waits until it has run min_observed_seconds"), std::string::npos) << waiting->reason;
  // Watched long enough: its memory moves.
  hints.memory_settling = later.watch(s, 11.1, 1.0).memory_settling;
  EXPECT_TRUE(hints.memory_settling.empty());
  out = decide(t, s, hints, {}, later, 11.1);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].pids, std::vector<int>{300});
  EXPECT_TRUE(out.decisions[0].moves_memory());

  // A process spread over both nodes is not steady: it is watched the whole time.
  ProcessSample spread = process(500, {{0, 1.0}, {1, 1.0}}, {{0, 512}}, 3);
  spread.home_node = 0;
  PolicyState fresh;
  fresh.watch(snapshot_of({spread}), 0.0, 1.0);
  EXPECT_EQ(fresh.watch(snapshot_of({spread}), 0.5, 1.0).settling, std::set<int>{500});
}

TEST(Policy, GrowingMemoryWaitsPoolChurnDoesNotAndANewPhaseEndsTheHold) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}}, 8)});
  PolicyState state;
  EXPECT_FALSE(state.watch(s, 0.0, 1.0).settling.empty());
  EXPECT_TRUE(state.watch(s, 1.0, 1.0).settling.empty());
  // Still allocating: 512 -> 1024 MiB.
  s.processes[0].memory_bytes_by_node[0] = 1024ull << 20;
  EXPECT_FALSE(state.watch(s, 1.5, 1.0).settling.empty());
  EXPECT_TRUE(state.watch(s, 2.5, 1.0).settling.empty());
  // A pool that breathes (8 -> 9 threads) is not a change.
  s.processes[0].threads = 9;
  EXPECT_TRUE(state.watch(s, 3.0, 1.0).settling.empty());
  // Moved at 3 s: held. Then it doubles its threads: a new phase, watched, then no longer held.
  state.record_move(100, {3.0, {1}, {0}, 0});
  EXPECT_LT(state.since_last_move(100, 4.0), 30.0);
  s.processes[0].threads = 18;
  EXPECT_FALSE(state.watch(s, 4.0, 1.0).settling.empty());
  EXPECT_GT(state.since_last_move(100, 4.0), 30.0);
}

TEST(Policy, AnApplicationMovingItsThreadsEndsTheHoldOurOwnMoveDoesNot) {
  Snapshot s = snapshot_of({process(100, {{0, 2.0}}, {{0, 512}}, 2)});
  s.processes[0].home_node = 0;
  PolicyState state;
  state.watch(s, 0.0, 1.0);
  state.record_move(100, {1.0, {0}, {1}, 0});  // we sent it to node 1
  s.processes[0].home_node = 1;
  s.processes[0].cpu_ns_by_node = {{1, 2 * kSecond}};
  EXPECT_TRUE(state.watch(s, 2.0, 1.0).settling.empty());  // it went where we sent it: still held
  EXPECT_LT(state.since_last_move(100, 2.0), 30.0);
  s.processes[0].home_node = 0;  // the application moved its threads back itself
  s.processes[0].cpu_ns_by_node = {{0, 2 * kSecond}};
  EXPECT_TRUE(state.watch(s, 3.0, 1.0).settling.empty());  // all of its time is there: decided on at once
  EXPECT_GT(state.since_last_move(100, 3.0), 30.0);
  // A process never moved by us, caught moving itself (60% on the new node), is watched for that
  // snapshot, then decided on.
  PolicyState fresh;
  Snapshot own = snapshot_of({process(200, {{0, 2.0}}, {{0, 512}}, 2)});
  own.processes[0].home_node = 0;
  fresh.watch(own, 0.0, 1.0);
  EXPECT_TRUE(fresh.watch(own, 1.5, 1.0).settling.empty());
  own.processes[0].home_node = 1;
  own.processes[0].cpu_ns_by_node = {{0, 800'000'000}, {1, 1'200'000'000}};
  EXPECT_FALSE(fresh.watch(own, 2.0, 1.0).settling.empty());
  own.processes[0].cpu_ns_by_node = {{1, 2'000'000'000}};
  EXPECT_TRUE(fresh.watch(own, 2.5, 1.0).settling.empty());
  // Threads the scheduler spreads over both nodes: the home flips with its load balancing, and
  // that is no move of its own (it was never on one node), so it is not watched again.
  Snapshot spread = snapshot_of({process(300, {{0, 1.2}, {1, 0.8}}, {{0, 512}}, 2)});
  spread.processes[0].home_node = 0;
  fresh.watch(spread, 0.0, 1.0);
  EXPECT_TRUE(fresh.watch(spread, 1.5, 1.0).settling.empty());
  for (double at : {2.0, 2.5, 3.0}) {
    spread.processes[0].home_node = 1 - spread.processes[0].home_node;
    spread.processes[0].cpu_ns_by_node = {{spread.processes[0].home_node, 1'100'000'000},
                                          {1 - spread.processes[0].home_node, 900'000'000}};
    EXPECT_TRUE(fresh.watch(spread, at, 1.0).settling.empty()) << at;
  }
}

TEST(Policy, PagesTheKernelIsMigratingAreLeftToIt) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})});
  s.processes[0].pages_migrated = 4096;
  PolicyState state;
  auto out = decide(t, s, {}, {}, state, 0);
  EXPECT_TRUE(out.decisions.empty());
  ASSERT_EQ(out.skipped.size(), 1u);
  EXPECT_NE(out.skipped[0].reason.find("AutoNUMA"), std::string::npos) << out.skipped[0].reason;
  s.processes[0].pages_migrated = 0;
  EXPECT_EQ(decide(t, s, {}, {}, state, 1).decisions.size(), 1u);
}

TEST(Policy, AProcessWhoseMemoryIsBeingMovedIsLeftAndHeldFromWhenTheMoveEnds) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyConfig config;
  config.hold_seconds = 30;
  PolicyState state;
  const Snapshot on0 = snapshot_of({process(100, {{0, 2.0}}, {{1, 512}})});
  ASSERT_EQ(decide(t, on0, {}, config, state, 0).decisions.size(), 1u);
  // Its migration still runs at 40 s, past the hold the estimate gave: it is left alone.
  PolicyHints hints;
  hints.migrating = {100};
  auto busy = decide(t, on0, hints, config, state, 40);
  EXPECT_TRUE(busy.decisions.empty());
  ASSERT_EQ(busy.skipped.size(), 1u);
  EXPECT_NE(busy.skipped[0].reason.find("still moving its memory"), std::string::npos) << busy.skipped[0].reason;
  // It ended at 41 s: the hold counts from then.
  state.migration_finished(100, 41);
  auto held = decide(t, on0, {}, config, state, 60);
  EXPECT_TRUE(held.decisions.empty());
  ASSERT_EQ(held.skipped.size(), 1u);
  EXPECT_NE(held.skipped[0].reason.find("hold time"), std::string::npos) << held.skipped[0].reason;
  EXPECT_EQ(decide(t, on0, {}, config, state, 72).decisions.size(), 1u);
}

TEST(Policy, OfOptionsAboutAsGoodTheOneThatDisturbsLeastIsTaken) {
  // As in the 2-node guest: one of its three threads runs on node 0 much of the time; its memory
  // is on node 1 but for 1 MiB of libraries on node 0. Moving everything to node 0 (133 MiB)
  // scores a little higher than moving that thread to node 1 (the 1 MiB stays remote), but the
  // thread move is taken: about as good, nothing to migrate.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  const auto out =
      decide(t, snapshot_of({process(100, {{0, 0.3}, {1, 1.73}}, {{0, 1}, {1, 133}}, 3)}), {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.action, ActionKind::kMoveThreads) << d.summary << "\n" << d.evidence.back();
  EXPECT_EQ(d.target_nodes, std::vector<int>{1});
  EXPECT_EQ(d.bytes_to_migrate, 0u);
  // The move of everything was the higher estimate: the evidence still lists it.
  EXPECT_NE(d.evidence.back().find("move-both to node 0"), std::string::npos) << d.evidence.back();
}

TEST(Policy, ThreadsGoToTheirMemoryThoughAFewMegabytesOfLibrariesStayRemote) {
  // 128 MiB on node 0, 4 MiB (libraries, page cache) on node 1 where its threads run. Moving
  // the memory to node 1 would leave nothing remote, moving the threads 4 MiB: the threads move.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  const auto out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 128}, {1, 4}}, 3)}), {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads) << out.decisions[0].evidence.back();
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0});
}

TEST(Policy, AFewMegabytesOffNodeAreNotAMove) {
  // Threads all on node 1, 4 MiB of 134 on node 0: stacks and libraries the actuator leaves.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  const auto out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 4}, {1, 130}}, 3)}), {}, {}, state, 0);
  EXPECT_TRUE(out.decisions.empty()) << out.decisions[0].summary;
  ASSERT_EQ(out.skipped.size(), 1u);
  EXPECT_NE(out.skipped[0].reason.find("under the 8 MiB"), std::string::npos) << out.skipped[0].reason;
  // 16 MiB off its node is moved.
  const auto moved = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 16}, {1, 118}}, 3)}), {}, {}, state, 0);
  ASSERT_EQ(moved.decisions.size(), 1u);
  EXPECT_EQ(moved.decisions[0].action, ActionKind::kMoveMemory);
}

TEST(Policy, HysteresisLeavesSmallGainsAlone) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  // 2% of its memory remote, on a lightly loaded process: the saving is under the minimum.
  const auto out = decide(t, snapshot_of({process(100, {{0, 0.3}}, {{0, 980}, {1, 20}})}), {}, {}, state, 0);
  EXPECT_TRUE(out.decisions.empty());
  ASSERT_EQ(out.skipped.size(), 1u);
  EXPECT_NE(out.skipped[0].reason.find("minimum gain"), std::string::npos) << out.skipped[0].reason;
}

TEST(Policy, HoldTimeThenPingPongFreeze) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyConfig config;
  config.hold_seconds = 30;
  PolicyState state;
  const Snapshot on1 = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})});  // wants node 0
  const Snapshot on0 = snapshot_of({process(100, {{0, 2.0}}, {{1, 512}})});  // wants node 1
  ASSERT_EQ(decide(t, on1, {}, config, state, 0).decisions.size(), 1u);
  // Within the hold time: nothing, with the reason.
  auto held = decide(t, on0, {}, config, state, 10);
  EXPECT_TRUE(held.decisions.empty());
  ASSERT_EQ(held.skipped.size(), 1u);
  EXPECT_NE(held.skipped[0].reason.find("hold time"), std::string::npos);
  // Back and forth: 0 -> 1 -> 0 is allowed once, the next reversal freezes it.
  ASSERT_EQ(decide(t, on0, {}, config, state, 40).decisions.size(), 1u);
  ASSERT_EQ(decide(t, on1, {}, config, state, 80).decisions.size(), 1u);
  auto frozen = decide(t, on0, {}, config, state, 120);
  EXPECT_TRUE(frozen.decisions.empty());
  ASSERT_EQ(frozen.frozen.size(), 1u);
  EXPECT_NE(frozen.frozen[0].find("ping-pong"), std::string::npos);
  EXPECT_TRUE(state.frozen(100));
  EXPECT_TRUE(decide(t, on1, {}, config, state, 500).decisions.empty());
}

TEST(Policy, ProcessesSharingMemoryArePlacedTogether) {
  const Topology t = make_uniform_topology(4, 8, 16 * kGiB);
  PolicyHints hints;
  hints.share_group = {{100, "shm:42"}, {200, "shm:42"}};
  Snapshot s = snapshot_of({process(100, {{0, 2.0}}, {{0, 1024}}), process(200, {{2, 2.0}}, {{0, 1024}})});
  PolicyState state;
  const auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].pids, (std::vector<int>{100, 200}));
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0});
  EXPECT_DOUBLE_EQ(out.decisions[0].remote_share_after, 0.0);
}

TEST(Policy, AGroupCountsTheSegmentItSharesOnce) {
  // Two processes, each 1024 MiB of a shared segment plus 64 MiB of its own, all on node 0,
  // their threads on node 1 whose CPUs are full: 1152 MiB move, not 2176; with only 1.5 GiB
  // free on node 1 the move fits only when the segment is counted once.
  const Topology t = make_uniform_topology(2, 8, 4 * kGiB);
  Snapshot s = with_nodes(snapshot_of({process(100, {{1, 2.0}}, {{0, 1088}}), process(200, {{1, 2.0}}, {{0, 1088}}),
                                       process(300, {{0, 7.0}}, {{0, 64}}, 8),      // node 0's CPUs full
                                       process(400, {{1, 0.5}}, {{1, 2560}}, 1)}),  // node 1: 1.5 GiB free
                          t);
  const PolicyHints hints = sharing_one_object("shm:42", 1024);
  PolicyConfig config;
  config.node_memory_reserve_bytes = 0;
  PolicyState state;
  const auto out = decide(t, s, hints, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].pids, (std::vector<int>{100, 200}));
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory) << out.decisions[0].summary;
  EXPECT_EQ(out.decisions[0].bytes_to_migrate, 1152 * kMiB);
  // Without the object figures the group looks twice as large and nothing fits.
  PolicyHints counted_twice = hints;
  counted_twice.shared_objects.clear();
  PolicyState fresh;
  for (const auto& d : decide(t, s, counted_twice, config, fresh, 0).decisions)
    EXPECT_NE(d.bytes_to_migrate, 1152 * kMiB) << d.summary;
}

// The shared scenario of the 2-node guest: a 128 MiB segment on node 0, one process on each
// node (one busy thread each), the one on node 1 with 8.2 MiB of its own (stacks, libraries)
// there. Its thread goes to the segment; the segment is not migrated to it for those 8.2 MiB,
// which are each member's few MiB, not a reason to move 128.
TEST(Policy, AGroupsFewMegabytesPerMemberOffNodeDoNotOutweighAThreadMove) {
  const Topology t = make_uniform_topology(2, 2, 512 * kMiB);
  ProcessSample near = process(100, {{0, 1.0}}, {{0, 132}}, 1);
  ProcessSample away = process(200, {{1, 1.0}}, {{0, 128}}, 1);
  away.memory_bytes_by_node[1] = 8 * kMiB + 200 * 1024;
  Snapshot s = with_nodes(snapshot_of({near, away}), t);
  const PolicyHints hints = sharing_one_object("shm:7", 128);
  PolicyConfig config;
  config.max_node_cpu_utilisation = 1.75;
  config.node_memory_reserve_bytes = 32 * kMiB;
  PolicyState state;
  const auto out = decide(t, s, hints, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads) << out.decisions[0].summary;
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0});
  EXPECT_EQ(out.decisions[0].bytes_to_migrate, 0u);
}

TEST(Policy, ASharedObjectCountsWhatTheMemberMappingMostOfItHolds) {
  // Each has 64 MiB of its own; one has touched 20 MiB of the segment, the other 32 MiB: the
  // group holds 64 + 64 + 32 MiB, whichever member is read first.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  for (bool larger_first : {false, true}) {
    const std::uint64_t first_view = larger_first ? 32 : 20, second_view = larger_first ? 20 : 32;
    Snapshot s = snapshot_of({process(100, {{1, 1.0}}, {{0, 64 + first_view}}), process(200, {{1, 1.0}}, {{0, 64 + second_view}})});
    const PolicyHints hints = sharing_one_object("shm:7", first_view, second_view);
    PolicyState state;
    const auto out = decide(t, s, hints, {}, state, 0);
    ASSERT_EQ(out.decisions.size(), 1u);
    bool seen = false;
    for (const std::string& line : out.decisions[0].evidence) seen = seen || line.starts_with("memory: 160 MiB");
    EXPECT_TRUE(seen) << out.decisions[0].evidence[2];
  }
}

TEST(Policy, AFileSharedByAGroupIsCountedOnceAndStaysWhereItIs) {
  // Two readers of one 512 MiB mmapped file whose page cache is on node 0, threads on node 1:
  // the group holds 512 MiB of file pages (not 1024) plus 64 MiB each of their own, and only
  // their own memory could move, so their threads go to the file.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  Snapshot s = snapshot_of({process(100, {{1, 1.0}}, {{0, 576}}), process(200, {{1, 1.0}}, {{0, 576}})});
  for (auto& p : s.processes) p.file_bytes_by_node = {{0, 512 * kMiB}};
  const PolicyHints hints = sharing_one_object("file:103:02:77", 512);
  PolicyState state;
  const auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads) << out.decisions[0].summary;
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0});
  bool memory = false, file = false;
  for (const std::string& line : out.decisions[0].evidence) {
    memory = memory || line.starts_with("memory: 640 MiB");
    file = file || line.find("512 MiB of it in file mappings") != std::string::npos;
  }
  EXPECT_TRUE(memory && file) << out.decisions[0].evidence[2] << " / " << out.decisions[0].evidence[3];
}

TEST(Policy, ANodeIsFilledUpToItsCpusBeforeAProcessIsSpreadOverTwo) {
  // 4.5 CPUs over 6 threads on node 1, its memory on node 0, where another process wants 3 of
  // the 8 CPUs: 4.2 CPUs of room under max_node_cpu_utilisation 0.9, 5 under all 8. Node 1 has
  // no memory room (15 GiB of another process). Its threads go to node 0, not to nodes 0-1.
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  const Snapshot s = with_nodes(snapshot_of({process(100, {{1, 4.5}}, {{0, 1024}}, 6), process(200, {{0, 3.0}}, {{0, 64}}, 3),
                                             process(300, {{1, 0.5}}, {{1, 15 * 1024}}, 1)}),
                                t);
  PolicyState state;
  const auto out = decide(t, s, {}, {}, state, 0);
  ASSERT_FALSE(out.decisions.empty());
  EXPECT_EQ(out.decisions[0].pids, std::vector<int>{100});
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads) << out.decisions[0].summary;
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{0}) << out.decisions[0].summary;
}

TEST(Policy, ProcessLargerThanANodeSpansTheFewestClosestNodes) {
  // 4 nodes: 0-1 and 2-3 are socket pairs (12), across is 21. 24 GiB does not fit a 16 GiB node.
  auto t = make_shape("4");
  ASSERT_TRUE(t);
  Snapshot s = with_nodes(snapshot_of({process(100, {{0, 3.0}, {3, 3.0}}, {{0, 12 * 1024}, {3, 12 * 1024}}, 6)}), *t);
  PolicyState state;
  const auto out = decide(*t, s, {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const auto& nodes = out.decisions[0].target_nodes;
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0] / 2, nodes[1] / 2) << "the two nodes should share a socket";
  EXPECT_LT(out.decisions[0].weighted_distance_after, out.decisions[0].weighted_distance_before);
}

TEST(Policy, ProcessLargerThanANodeFillsTheNodeItsThreadsUse) {
  // Two 1 GiB nodes and 1100 MiB of memory: 700 MiB on node 0, 400 MiB on node 1 where its
  // threads run (the 2-node guest's "large" scenario, scaled); an idle process fills node 0.
  // Moving its threads to node 0 leaves 400 MiB remote; filling node 1 up to its reserve
  // leaves 140 MiB remote.
  const Topology t = make_uniform_topology(2, 8, 1 * kGiB);
  PolicyConfig config;
  config.node_memory_reserve_bytes = 64 * kMiB;
  Snapshot s = with_nodes(
      snapshot_of({process(100, {{1, 2.0}}, {{0, 700}, {1, 400}}), process(200, {{0, 0.01}}, {{0, 250}})}), t);
  PolicyState state;
  const auto out = decide(t, s, {}, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.action, ActionKind::kMoveMemory);
  EXPECT_TRUE(d.partial_memory);
  EXPECT_EQ(d.target_nodes, std::vector<int>{1});
  // Node 1's free 624 MiB less the 64 MiB reserve: 560 MiB move, all from node 0.
  EXPECT_NEAR(static_cast<double>(d.bytes_to_migrate) / kMiB, 560, 1);
  EXPECT_NEAR(static_cast<double>(d.bytes_from_node.at(0)) / kMiB, 560, 1);
  EXPECT_NEAR(d.remote_share_after, 140.0 / 1100, 0.01);
  EXPECT_NE(d.summary.find("as much as fits"), std::string::npos) << d.summary;
  bool listed = false;
  for (const auto& line : d.evidence) listed = listed || line.find("move-threads to node 0: net") != std::string::npos;
  EXPECT_TRUE(listed) << "the whole move of its threads is still weighed";
  // With room on node 0 instead, its threads go there and node 0 is filled: the same remote
  // share for less memory moved (260 MiB).
  Snapshot roomy = with_nodes(snapshot_of({process(100, {{1, 2.0}}, {{0, 700}, {1, 400}})}), t);
  PolicyState roomy_state;
  const auto both = decide(t, roomy, {}, config, roomy_state, 0);
  ASSERT_EQ(both.decisions.size(), 1u);
  EXPECT_EQ(both.decisions[0].action, ActionKind::kMoveBoth);
  EXPECT_TRUE(both.decisions[0].partial_memory);
  EXPECT_EQ(both.decisions[0].target_nodes, std::vector<int>{0});
  EXPECT_NEAR(static_cast<double>(both.decisions[0].bytes_to_migrate) / kMiB, 260, 1);
  // A container cannot be moved in part (cpuset.mems is all or nothing): its threads go to
  // the node with most of its memory instead.
  s.processes[0].container = "c0ffee";
  PolicyState container_state;
  const auto contained = decide(t, s, {}, config, container_state, 0);
  ASSERT_EQ(contained.decisions.size(), 1u);
  EXPECT_FALSE(contained.decisions[0].partial_memory);
  EXPECT_EQ(contained.decisions[0].action, ActionKind::kMoveThreads);
}

TEST(Policy, ThreadsPlacedBySomeoneElseOnlyGetTheirMemoryMoved) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyHints hints;
  hints.threads_fixed = {100};
  PolicyState state;
  const auto out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})}), hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
}

// A cpuset is a hard limit (the actuators never bypass or widen one): the policy plans inside
// it: a process confined to node 1's CPUs with its memory on node 0 has its memory moved, not a
// thread move its cpuset would refuse every cycle.
TEST(Policy, ACpusetKeepsEveryMoveInsideIt) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);  // node 0: CPUs 0-7, node 1: 8-15
  const Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})});
  PolicyHints hints;
  hints.cpusets[100] = {{8, 9, 10, 11, 12, 13, 14, 15}, {0, 1}};
  PolicyState state;
  auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  const auto& evidence = out.decisions[0].evidence;
  EXPECT_TRUE(std::any_of(evidence.begin(), evidence.end(), [](const std::string& e) {
    return e.find("cpuset: its cpuset allows CPUs on node 1 and memory on node 0,1") != std::string::npos;
  })) << fmt::format("{}", fmt::join(evidence, "\n"));
  EXPECT_NE(evidence.back().find("move-threads: not possible"), std::string::npos) << evidence.back();
  // Memory held to node 0 as well: nothing fits, and the line says why.
  hints.cpusets[100].mems = {0};
  PolicyState held;
  out = decide(t, s, hints, {}, held, 0);
  EXPECT_TRUE(out.decisions.empty());
  ASSERT_EQ(out.skipped.size(), 1u);
  EXPECT_NE(out.skipped[0].reason.find("where its cpuset allows CPUs on node 1 and memory on node 0"), std::string::npos)
      << out.skipped[0].reason;
  // An unreadable part (an empty list) limits nothing: the threads go to their memory.
  hints.cpusets[100] = {{}, {}};
  PolicyState unknown;
  out = decide(t, s, hints, {}, unknown, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads);
}

TEST(Policy, ACpusetWithOneCpuOfANodeHasRoomForOneThreadThere) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  const Snapshot s = snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})});
  PolicyHints hints;
  hints.cpusets[100] = {{0, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1}};  // one CPU of node 0
  PolicyState state;
  const auto out = decide(t, s, hints, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  // Two busy threads do not fit on one CPU: the memory follows them to node 1.
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  // A container's cpuset.mems follows the same limits.
  Snapshot in_container = s;
  in_container.processes[0].container = "docker:0123456789ab";
  in_container.processes[0].cgroup = "/system.slice/docker-0123456789ab.scope";
  PolicyState fresh;
  const auto container = decide(t, in_container, hints, {}, fresh, 0);
  ASSERT_EQ(container.decisions.size(), 1u);
  EXPECT_EQ(container.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_EQ(container.decisions[0].container, "docker:0123456789ab");
}

TEST(Policy, DisabledActuatorsNarrowTheOptions) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyConfig config;
  config.enable_thread_affinity = false;
  PolicyState state;
  auto out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})}), {}, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  config.enable_memory_migration = false;
  PolicyState fresh;
  out = decide(t, snapshot_of({process(100, {{1, 2.0}}, {{0, 512}})}), {}, config, fresh, 0);
  EXPECT_TRUE(out.decisions.empty());
}

TEST(Policy, NeverPlansANodeBeyondItsCapacity) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  // Four 3-CPU processes all with memory on node 0 and threads on node 1: node 0 (8 CPUs, 90%)
  // takes two of them; the others get their memory moved instead.
  std::vector<ProcessSample> ps;
  for (int pid = 1; pid <= 4; ++pid) ps.push_back(process(pid, {{1, 3.0}}, {{0, 256}}, 3));
  PolicyConfig config;
  config.max_moves_per_cycle = 10;
  PolicyState state;
  const auto out = decide(t, snapshot_of(ps), {}, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 4u);
  double cpus_to_node0 = 0;
  for (const auto& d : out.decisions)
    if (d.action == ActionKind::kMoveThreads) cpus_to_node0 += 3.0;
  EXPECT_LE(cpus_to_node0, 8 * config.max_node_cpu_utilisation);
  EXPECT_GT(cpus_to_node0, 0);
}

// The crowded scenario of the 2-node guest: two processes first-touched on node 0, their threads
// spread by the scheduler over both 2-CPU nodes, each getting 1.4 CPUs of the 2 its two busy
// threads want (they wait 0.3 s/s each in runqueues). Planned with what they got (2.8 CPUs), both
// fit node 0 at 1.5x (3 CPUs); planned with what they want (4), one moves there and the other
// goes to node 1 with its memory.
ProcessSample crowded_process(int pid) {
  ProcessSample p = process(pid, {{0, 0.7}, {1, 0.7}}, {{0, 128}}, 2);
  for (int i = 0; i < 2; ++i) {
    ThreadSample t;
    t.tid = pid + i;
    t.cpu_ns_by_node[i] = 700'000'000;  // one thread on each node
    t.last_node = i;
    t.runqueue_wait_ns = 300'000'000;
    p.thread_samples.push_back(t);
  }
  return p;
}

TEST(Policy, CapacityIsPlannedWithRunqueueWaitNotOnlyRunTime) {
  const Topology t = make_uniform_topology(2, 2, 512 * kMiB);
  Snapshot s = with_nodes(snapshot_of({crowded_process(100), crowded_process(200)}), t);
  for (auto& node : s.nodes) {
    node.cpu_busy_ns = 1'400'000'000;
    node.runqueue_wait_ns = 600'000'000;
  }
  PolicyConfig config;
  config.max_node_cpu_utilisation = 1.5;
  config.node_memory_reserve_bytes = 32 * kMiB;
  PolicyState state;
  const auto out = decide(t, s, {}, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 2u);
  int threads_to_node0 = 0, both_to_node1 = 0;
  for (const auto& d : out.decisions) {
    if (d.action == ActionKind::kMoveThreads && d.target_nodes == std::vector<int>{0}) ++threads_to_node0;
    if (d.action == ActionKind::kMoveBoth && d.target_nodes == std::vector<int>{1}) ++both_to_node1;
  }
  EXPECT_EQ(threads_to_node0, 1);
  EXPECT_EQ(both_to_node1, 1);
  bool says_wanted = false;
  for (const auto& line : out.decisions[0].evidence) says_wanted = says_wanted || line.find("they want 2.00 CPUs") != std::string::npos;
  EXPECT_TRUE(says_wanted);
  // Without the waits (what they got is all they want) both fit node 0.
  for (auto& p : s.processes)
    for (auto& thread : p.thread_samples) thread.runqueue_wait_ns = 0;
  for (auto& node : s.nodes) node.runqueue_wait_ns = 0;
  PolicyState fresh;
  const auto unwaited = decide(t, s, {}, config, fresh, 0);
  ASSERT_EQ(unwaited.decisions.size(), 2u);
  for (const auto& d : unwaited.decisions) EXPECT_EQ(d.action, ActionKind::kMoveThreads);
}

// The crowded scenario as the 2-node guest showed it with the monitor and the sampler running:
// 0.5 more CPUs wanted on each node, so neither process fits on either node beside the other's
// thread there. Found in the guest: "no node set has room for 1.65 CPUs and 132 MiB" for 2 s,
// until the figures' noise let one through.
Snapshot crowded_with_other_load(const Topology& t) {
  Snapshot s = with_nodes(snapshot_of({crowded_process(100), crowded_process(200)}), t);
  for (auto& node : s.nodes) {
    node.cpu_busy_ns = 1'900'000'000;
    node.runqueue_wait_ns = 600'000'000;
  }
  return s;
}

TEST(Policy, TwoProcessesEachBlockedByTheOtherMoveAsAPair) {
  const Topology t = make_uniform_topology(2, 2, 512 * kMiB);
  PolicyConfig config;
  config.max_node_cpu_utilisation = 1.5;
  config.node_memory_reserve_bytes = 32 * kMiB;
  PolicyConfig one_move = config;
  one_move.max_moves_per_cycle = 1;
  PolicyState alone;
  const auto single = decide(t, crowded_with_other_load(t), {}, one_move, alone, 0);
  ASSERT_TRUE(single.decisions.empty());  // each on its own has no room anywhere
  bool no_room = false;
  for (const Skip& skip : single.skipped) no_room = no_room || skip.reason.find("no node set has room") != std::string::npos;
  EXPECT_TRUE(no_room);

  PolicyState state;
  const auto out = decide(t, crowded_with_other_load(t), {}, config, state, 0);
  ASSERT_EQ(out.decisions.size(), 2u);
  const Decision& threads = out.decisions[0].action == ActionKind::kMoveThreads ? out.decisions[0] : out.decisions[1];
  const Decision& both = &threads == &out.decisions[0] ? out.decisions[1] : out.decisions[0];
  EXPECT_EQ(threads.action, ActionKind::kMoveThreads);
  EXPECT_EQ(threads.target_nodes, std::vector<int>{0});  // to its memory
  EXPECT_EQ(both.action, ActionKind::kMoveBoth);
  EXPECT_EQ(both.target_nodes, std::vector<int>{1});
  EXPECT_EQ(both.bytes_to_migrate, 128 * kMiB);
  EXPECT_EQ(threads.paired_with, both.pids);
  EXPECT_EQ(both.paired_with, threads.pids);
  EXPECT_NE(threads.summary.find(fmt::format("as pid {} leaves it for node 1", both.pids[0])), std::string::npos)
      << threads.summary;
  EXPECT_NE(both.summary.find(fmt::format("as pid {} leaves it for node 0", threads.pids[0])), std::string::npos)
      << both.summary;
  bool says_pair = false;
  for (const auto& line : threads.evidence)
    says_pair = says_pair || (line.starts_with("pair: node 0 has no room") && line.find("with 128 MiB of its memory") != std::string::npos);
  EXPECT_TRUE(says_pair) << threads.summary;
}

TEST(Policy, APairMovesNoMemoryOfAPartnerStillWatched) {
  const Topology t = make_uniform_topology(2, 2, 512 * kMiB);
  PolicyConfig config;
  config.max_node_cpu_utilisation = 1.5;
  config.node_memory_reserve_bytes = 32 * kMiB;
  PolicyHints hints;
  hints.memory_settling = {200};
  PolicyState state;
  const auto out = decide(t, crowded_with_other_load(t), hints, config, state, 0);
  // 100's memory goes with it to node 1; 200, whose memory waits, has only its threads moved.
  ASSERT_EQ(out.decisions.size(), 2u);
  for (const Decision& d : out.decisions) {
    if (d.pids[0] == 200) {
      EXPECT_EQ(d.action, ActionKind::kMoveThreads);
      EXPECT_EQ(d.target_nodes, std::vector<int>{0});
    } else {
      EXPECT_EQ(d.action, ActionKind::kMoveBoth);
      EXPECT_EQ(d.target_nodes, std::vector<int>{1});
    }
  }
  // Both waiting: no pair moves memory, and none moves threads alone into no room.
  hints.memory_settling = {100, 200};
  PolicyState fresh;
  const auto waiting = decide(t, crowded_with_other_load(t), hints, config, fresh, 0);
  for (const Decision& d : waiting.decisions) EXPECT_EQ(d.bytes_to_migrate, 0u) << d.summary;
}

// Two processes each running where the other's memory is, each filling its node's CPUs: neither
// fits beside its memory until the other leaves.
Snapshot crosswise(std::uint64_t node_memory) {
  const Topology t = make_uniform_topology(2, 8, node_memory);
  return with_nodes(snapshot_of({process(100, {{0, 7.0}}, {{1, 3072}}, 8), process(200, {{1, 7.0}}, {{0, 3072}}, 8)}), t);
}

TEST(Policy, ProcessesRunningWhereTheOtherOnesMemoryIsSwapNodes) {
  const Topology t = make_uniform_topology(2, 8, 4 * kGiB);  // 3 of 4 GiB used on each node
  PolicyState state;
  const auto out = decide(t, crosswise(4 * kGiB), {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 2u);
  for (const Decision& d : out.decisions) {
    EXPECT_EQ(d.action, ActionKind::kMoveThreads);
    EXPECT_EQ(d.bytes_to_migrate, 0u);
    EXPECT_DOUBLE_EQ(d.remote_share_after, 0.0);
    bool says_swap = false;
    for (const auto& line : d.evidence) says_swap = says_swap || line.starts_with("swap: node ");
    EXPECT_TRUE(says_swap) << d.summary;
    EXPECT_NE(d.summary.find(fmt::format("swapping nodes with pid {}", d.pids[0] == 100 ? 200 : 100)), std::string::npos)
        << d.summary;
    // Each lists its own alternatives: memory as much as fits, which the swap beats.
    bool lists_fill = false;
    for (const auto& line : d.evidence) lists_fill = lists_fill || line.find("move-memory (as much as fits)") != std::string::npos;
    EXPECT_TRUE(lists_fill) << d.pids[0];
  }
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{out.decisions[0].pids[0] == 100 ? 1 : 0});
  EXPECT_EQ(out.decisions[1].target_nodes, std::vector<int>{out.decisions[1].pids[0] == 100 ? 1 : 0});
  EXPECT_EQ(out.decisions[0].paired_with, out.decisions[1].pids);
  EXPECT_EQ(out.decisions[1].paired_with, out.decisions[0].pids);
  // Both are held like any moved process.
  EXPECT_TRUE(decide(t, crosswise(4 * kGiB), {}, {}, state, 1).decisions.empty());
}

TEST(Policy, ASwapIsPreferredToMigratingMemoryThatWouldFit) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyState state;
  const auto out = decide(t, crosswise(16 * kGiB), {}, {}, state, 0);
  ASSERT_EQ(out.decisions.size(), 2u);
  for (const Decision& d : out.decisions) {
    EXPECT_EQ(d.action, ActionKind::kMoveThreads);
    EXPECT_FALSE(d.paired_with.empty());
  }
}

TEST(Policy, AProcessWaitsForItsSwapPartnerToBeObserved) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);  // memory moves would fit
  PolicyHints hints;
  hints.settling = {200};
  PolicyState state;
  const auto early = decide(t, crosswise(16 * kGiB), hints, {}, state, 0);
  EXPECT_TRUE(early.decisions.empty());
  bool waits = false;
  for (const Skip& skip : early.skipped) waits = waits || (skip.pid == 100 && skip.reason.find("pid 200, new") != std::string::npos);
  EXPECT_TRUE(waits);
  const auto later = decide(t, crosswise(16 * kGiB), {}, {}, state, 1);
  ASSERT_EQ(later.decisions.size(), 2u);
  EXPECT_FALSE(later.decisions[0].paired_with.empty());
}

TEST(Policy, NoSwapWithThreadsTheCoordinatorMayNotMoveOrNoRoomForTwoMoves) {
  const Topology t = make_uniform_topology(2, 8, 4 * kGiB);
  PolicyHints hints;
  hints.threads_fixed = {200};  // the application placed them: they stay, so 100 cannot go
  PolicyState state;
  const auto fixed = decide(t, crosswise(4 * kGiB), hints, {}, state, 0);
  // What is left to each is filling its own node with as much of its memory as fits there.
  ASSERT_FALSE(fixed.decisions.empty());
  for (const Decision& d : fixed.decisions) {
    EXPECT_TRUE(d.paired_with.empty());
    EXPECT_EQ(d.action, ActionKind::kMoveMemory) << d.summary;
    EXPECT_TRUE(d.partial_memory) << d.summary;
  }
  PolicyConfig one_move;
  one_move.max_moves_per_cycle = 1;
  PolicyState fresh;
  const auto single = decide(t, crosswise(4 * kGiB), {}, one_move, fresh, 0);
  for (const Decision& d : single.decisions) EXPECT_TRUE(d.paired_with.empty());
}

TEST(Policy, SingleNodeMachineDecidesNothing) {
  const Topology t = make_uniform_topology(1, 8, 16 * kGiB);
  PolicyState state;
  EXPECT_TRUE(decide(t, snapshot_of({process(100, {{0, 2.0}}, {{0, 512}})}), {}, {}, state, 0).decisions.empty());
}

// IO-bound work (0.3 CPUs, sleeping 5000 times per CPU-second) whose devices sit on another
// node than where it runs, its memory local: it and its memory go to the device's node.
ProcessSample io_bound(int pid, int cpu_node, int memory_node) {
  ProcessSample p = process(pid, {{cpu_node, 0.3}}, {{memory_node, 256}}, 1);
  p.numa_faults_local = 0;
  ThreadSample& t = p.thread_samples.emplace_back();
  t.tid = pid;
  t.cpu_ns_by_node[cpu_node] = 300'000'000;
  t.voluntary_switches = 1500;
  return p;
}

// decide() on a 2-node machine for `p` alone, its devices on `device_node` (-1: no hint).
PolicyOutcome decide_near_device(const ProcessSample& p, int device_node, const PolicyConfig& config = {}) {
  const Topology t = make_uniform_topology(2, 8, 16 * kGiB);
  PolicyHints hints;
  if (device_node >= 0) hints.device_node[p.pid] = device_node;
  PolicyState state;
  return decide(t, with_nodes(snapshot_of({p}), t), hints, config, state, 0);
}

TEST(Policy, IoBoundWorkAwayFromItsDeviceMovesThereWithItsMemory) {
  const auto out = decide_near_device(io_bound(100, 0, 0), 1);
  ASSERT_EQ(out.decisions.size(), 1u);
  const Decision& d = out.decisions[0];
  EXPECT_EQ(d.workload_class, WorkloadClass::kIoBound);
  EXPECT_EQ(d.action, ActionKind::kMoveBoth);
  EXPECT_EQ(d.target_nodes, std::vector<int>{1});
  EXPECT_EQ(d.bytes_to_migrate, 256 * kMiB);
  EXPECT_NE(d.summary.find("(near its device)"), std::string::npos) << d.summary;
  bool device_evidence = false;
  for (const std::string& line : d.evidence)
    device_evidence = device_evidence || line.find("device: the devices behind its open files and sockets are on node 1; 0%") == 0;
  EXPECT_TRUE(device_evidence);
  // Without the hint the same process is local and left alone; with its device on its own
  // node too.
  EXPECT_TRUE(decide_near_device(io_bound(100, 0, 0), -1).decisions.empty());
  EXPECT_TRUE(decide_near_device(io_bound(100, 0, 0), 0).decisions.empty());
}

TEST(Policy, IoBoundWorkWithItsMemoryNearItsDeviceHasItsThreadsMovedThere) {
  const auto out = decide_near_device(io_bound(100, 0, 1), 1);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  EXPECT_NE(out.decisions[0].summary.find("where its memory is"), std::string::npos) << out.decisions[0].summary;
}

TEST(Policy, ASmallIoProcessAwayFromItsDeviceHasItsThreadsMovedThere) {
  ProcessSample dd = io_bound(100, 0, 0);
  dd.memory_bytes_by_node = {{0, 2 * kMiB}};
  PolicyConfig config;
  config.min_rss_bytes = 0;  // the user asked for small processes too
  const auto out = decide_near_device(dd, 1, config);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveThreads);
  EXPECT_EQ(out.decisions[0].target_nodes, std::vector<int>{1});
  EXPECT_NE(out.decisions[0].summary.find("(near its device)"), std::string::npos) << out.decisions[0].summary;
}

}  // namespace
}  // namespace aurora::coord
