// The NUMA block of /proc/PID/sched, modelled on 6.x kernels (kernel/sched/debug.c).
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

// Head of the file as a 6.18 kernel writes it, then the NUMA block of a two-node machine.
const char* kSchedHead =
    "stream (5150, #threads: 3)\n"
    "-------------------------------------------------------------------\n"
    "se.exec_start                                :        590009.588605\n"
    "se.vruntime                                  :           778.457752\n"
    "se.sum_exec_runtime                          :          8812.470535\n"
    "se.nr_migrations                             :                   41\n"
    "nr_switches                                  :                  902\n"
    "nr_voluntary_switches                        :                  880\n"
    "nr_involuntary_switches                      :                   22\n"
    "se.load.weight                               :              1048576\n"
    "policy                                       :                    0\n"
    "prio                                         :                  120\n"
    "clock-delta                                  :                   51\n";

const char* kTwoNodeNumaBlock =
    "mm->numa_scan_seq                            :                   17\n"
    "numa_pages_migrated                          :                 3072\n"
    "numa_preferred_nid                           :                    1\n"
    "total_numa_faults                            :                 1344\n"
    "current_node=1, numa_group_id=5150\n"
    "numa_faults node=0 task_private=120 task_shared=8 group_private=130 group_shared=9\n"
    "numa_faults node=1 task_private=1180 task_shared=36 group_private=1201 group_shared=40\n";

TEST(ProcfsSchedNuma, ReadsTheNumaBlock) {
  FakeTree tree;
  tree.write("/proc/5150/sched", std::string(kSchedHead) + kTwoNodeNumaBlock);
  auto numa = read_proc_sched_numa(HostRoot(tree.path()), 5150);
  ASSERT_TRUE(numa) << numa.error().message;
  EXPECT_TRUE(numa->available);
  EXPECT_EQ(numa->numa_pages_migrated, 3072u);
  EXPECT_EQ(numa->numa_preferred_nid, 1);
  EXPECT_EQ(numa->total_numa_faults, 1344u);
  EXPECT_EQ(numa->current_node, 1);
  EXPECT_EQ(numa->numa_group_id, 5150);
  ASSERT_EQ(numa->faults.size(), 2u);
  EXPECT_EQ(numa->faults[0].node, 0);
  EXPECT_EQ(numa->faults[0].task_private, 120u);
  EXPECT_EQ(numa->faults[0].task_shared, 8u);
  EXPECT_EQ(numa->faults[0].group_private, 130u);
  EXPECT_EQ(numa->faults[0].group_shared, 9u);
  EXPECT_EQ(numa->faults[1].node, 1);
  EXPECT_EQ(numa->faults[1].task_total(), 1216u);
  EXPECT_EQ(numa->faults[1].group_shared, 40u);
}

TEST(ProcfsSchedNuma, FreshTaskOnOneNodeHostHasNoPreferredNode) {
  // Exactly what this one-node host prints for a new task (no mm->numa_scan_seq for a
  // kernel thread either way).
  FakeTree tree;
  tree.write("/proc/9499/task/9500/sched",
             std::string(kSchedHead) +
                 "numa_pages_migrated                          :                    0\n"
                 "numa_preferred_nid                           :                   -1\n"
                 "total_numa_faults                            :                    0\n"
                 "current_node=0, numa_group_id=0\n"
                 "numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0\n");
  auto numa = read_proc_sched_numa(HostRoot(tree.path()), 9499, 9500);
  ASSERT_TRUE(numa) << numa.error().message;
  EXPECT_TRUE(numa->available);
  EXPECT_EQ(numa->numa_preferred_nid, -1);
  EXPECT_EQ(numa->current_node, 0);
  ASSERT_EQ(numa->faults.size(), 1u);
  EXPECT_EQ(numa->faults[0].task_total(), 0u);
}

TEST(ProcfsSchedNuma, KernelWithoutNumaBalancingIsUnavailableNotAnError) {
  FakeTree tree;
  tree.write("/proc/77/sched", kSchedHead);
  auto numa = read_proc_sched_numa(HostRoot(tree.path()), 77);
  ASSERT_TRUE(numa) << numa.error().message;
  EXPECT_FALSE(numa->available);
  EXPECT_TRUE(numa->faults.empty());
  EXPECT_EQ(numa->current_node, -1);
}

TEST(ProcfsSchedNuma, MalformedFaultLineIsBadInputNamingTheFile) {
  FakeTree tree;
  tree.write("/proc/78/sched",
             std::string(kSchedHead) + "numa_faults node=zero task_private=1 task_shared=2\n");
  auto numa = read_proc_sched_numa(HostRoot(tree.path()), 78);
  ASSERT_FALSE(numa);
  EXPECT_EQ(numa.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(numa.error().message.find("/proc/78/sched"), std::string::npos) << numa.error().message;

  tree.write("/proc/79/sched", std::string(kSchedHead) + "numa_preferred_nid : maybe\n");
  auto nid = read_proc_sched_numa(HostRoot(tree.path()), 79);
  ASSERT_FALSE(nid);
  EXPECT_EQ(nid.error().kind, ErrorKind::kBadInput);
}

TEST(ProcfsSchedNuma, MissingSchedFileSaysWhy) {
  FakeTree tree;
  tree.mkdir("/proc/80");
  auto no_debug = read_proc_sched_numa(HostRoot(tree.path()), 80);
  ASSERT_FALSE(no_debug);
  EXPECT_EQ(no_debug.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(no_debug.error().message.find("CONFIG_SCHED_DEBUG"), std::string::npos);

  auto gone = read_proc_sched_numa(HostRoot(tree.path()), 81);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message.find("process 81"), std::string::npos) << gone.error().message;
}

}  // namespace
}  // namespace aurora
