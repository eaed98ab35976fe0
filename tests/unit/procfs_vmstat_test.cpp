// The NUMA counters of /proc/vmstat.
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

const char* kVmstat =
    "nr_free_pages 3977511\n"
    "nr_zone_inactive_anon 9411\n"
    "numa_hit 5413615\n"
    "numa_miss 12\n"
    "numa_foreign 12\n"
    "numa_interleave 1107\n"
    "numa_local 5413001\n"
    "numa_other 626\n"
    "pgpgin 2043\n"
    "numa_pte_updates 81920\n"
    "numa_huge_pte_updates 4\n"
    "numa_hint_faults 40960\n"
    "numa_hint_faults_local 30720\n"
    "numa_pages_migrated 9000\n"
    "pgmigrate_success 9100\n"
    "pgmigrate_fail 7\n"
    "compact_migrate_scanned 0\n";

TEST(ProcfsVmstat, ReadsNumaAndMigrationCounters) {
  FakeTree tree;
  tree.write("/proc/vmstat", kVmstat);
  auto vm = read_vmstat_numa(HostRoot(tree.path()));
  ASSERT_TRUE(vm) << vm.error().message;
  EXPECT_TRUE(vm->has_numa_balancing);
  EXPECT_EQ(vm->numa_hit, 5413615u);
  EXPECT_EQ(vm->numa_miss, 12u);
  EXPECT_EQ(vm->numa_foreign, 12u);
  EXPECT_EQ(vm->numa_interleave, 1107u);
  EXPECT_EQ(vm->numa_local, 5413001u);
  EXPECT_EQ(vm->numa_other, 626u);
  EXPECT_EQ(vm->numa_pte_updates, 81920u);
  EXPECT_EQ(vm->numa_huge_pte_updates, 4u);
  EXPECT_EQ(vm->numa_hint_faults, 40960u);
  EXPECT_EQ(vm->numa_hint_faults_local, 30720u);
  EXPECT_EQ(vm->numa_pages_migrated, 9000u);
  EXPECT_EQ(vm->pgmigrate_success, 9100u);
  EXPECT_EQ(vm->pgmigrate_fail, 7u);
}

TEST(ProcfsVmstat, KernelWithoutNumaBalancingHasNoHintFaultLines) {
  FakeTree tree;
  tree.write("/proc/vmstat", "numa_hit 10\nnuma_miss 0\npgmigrate_success 3\n");
  auto vm = read_vmstat_numa(HostRoot(tree.path()));
  ASSERT_TRUE(vm) << vm.error().message;
  EXPECT_FALSE(vm->has_numa_balancing);
  EXPECT_EQ(vm->numa_hit, 10u);
  EXPECT_EQ(vm->pgmigrate_success, 3u);
  EXPECT_EQ(vm->numa_hint_faults, 0u);
}

TEST(ProcfsVmstat, MalformedCountIsBadInputNamingTheFile) {
  FakeTree tree;
  tree.write("/proc/vmstat", "numa_hit 10\nnuma_hint_faults -3\n");
  auto vm = read_vmstat_numa(HostRoot(tree.path()));
  ASSERT_FALSE(vm);
  EXPECT_EQ(vm.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(vm.error().message.find("proc/vmstat:2"), std::string::npos) << vm.error().message;
}

TEST(ProcfsVmstat, FileWithoutNumaCountersIsBadInput) {
  FakeTree tree;
  tree.write("/proc/vmstat", "nr_free_pages 1\n");
  auto vm = read_vmstat_numa(HostRoot(tree.path()));
  ASSERT_FALSE(vm);
  EXPECT_EQ(vm.error().kind, ErrorKind::kBadInput);
}

TEST(ProcfsVmstat, MissingFileIsNotFound) {
  FakeTree tree;
  auto vm = read_vmstat_numa(HostRoot(tree.path()));
  ASSERT_FALSE(vm);
  EXPECT_EQ(vm.error().kind, ErrorKind::kNotFound);
}

TEST(ProcfsSelfUsage, ReportsThisProcessesOwnCpuAndMemory) {
  auto before = read_self_usage();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_GT(before->rss_bytes, 0u);
  // Burn some CPU; the reading must grow.
  volatile std::uint64_t sink = 0;
  for (std::uint64_t i = 0; i < 200'000'000; ++i) sink = sink + i;
  auto after = read_self_usage();
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_GT(after->cpu_ns, before->cpu_ns);
}

}  // namespace
}  // namespace aurora
