// /proc/PID/maps, the per-mapping numa_maps records and Cpus_allowed_list, on fake trees
// modelled on real 6.x output.
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

TEST(ProcfsMaps, ReadsRangePermissionsDeviceInodeAndPathsWithSpaces) {
  FakeTree tree;
  tree.write("/proc/900/maps",
             "55d9dc98d000-55d9dc9b0000 r--p 00000000 fd:01 1311755                    /usr/bin/postgres\n"
             "7f2a40000000-7f2a42000000 rw-s 00000000 00:19 4242                       /dev/shm/pg buf\n"
             "7f2b00000000-7f2b04000000 rw-s 00000000 00:01 32769                      /SYSV0000162e (deleted)\n"
             "7f2c00000000-7f2c00021000 rw-p 00000000 00:00 0 \n"
             "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
  auto maps = read_proc_maps(HostRoot(tree.path()), 900);
  ASSERT_TRUE(maps) << maps.error().message;
  ASSERT_EQ(maps->size(), 5u);
  EXPECT_EQ((*maps)[1].start_address, 0x7f2a40000000u);
  EXPECT_EQ((*maps)[1].end_address, 0x7f2a42000000u);
  EXPECT_TRUE((*maps)[1].shared());
  EXPECT_EQ((*maps)[1].device, "00:19");
  EXPECT_EQ((*maps)[1].inode, 4242u);
  EXPECT_EQ((*maps)[1].path, "/dev/shm/pg buf");
  EXPECT_EQ((*maps)[2].path, "/SYSV0000162e (deleted)");
  EXPECT_FALSE((*maps)[0].shared());
  EXPECT_EQ((*maps)[3].path, "");
  EXPECT_EQ((*maps)[4].start_address, 0xffffffffff600000u);
}

TEST(ProcfsMaps, MalformedLineIsBadInputNamingTheFileAndLine) {
  FakeTree tree;
  tree.write("/proc/901/maps", "7f2a40000000-7f2a42000000 rw-s 00000000 00:19 4242 /dev/shm/a\n7f2a rw-s\n");
  auto maps = read_proc_maps(HostRoot(tree.path()), 901);
  ASSERT_FALSE(maps);
  EXPECT_EQ(maps.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(maps.error().message.find("/proc/901/maps:2"), std::string::npos) << maps.error().message;
}

TEST(ProcfsMaps, ExitedProcessIsNotFound) {
  FakeTree tree;
  auto maps = read_proc_maps(HostRoot(tree.path()), 902);
  ASSERT_FALSE(maps);
  EXPECT_EQ(maps.error().kind, ErrorKind::kNotFound);
}

TEST(ProcfsNumaMapsEntries, OneRecordPerMappingWithItsFileAndBytes) {
  FakeTree tree;
  tree.write("/proc/903/numa_maps",
             "7f2a40000000 default file=/dev/shm/pg\\040buf dirty=8192 mapmax=2 N0=6000 N1=2192 "
             "kernelpagesize_kB=4\n"
             "7f2b00000000 bind:1 file=/dev/hugepages/x huge dirty=2 N1=2 kernelpagesize_kB=2048\n"
             "7f2c00000000 default anon=33 dirty=33 N0=33 kernelpagesize_kB=4\n"
             "7ffc1a1f0000 default\n");
  auto entries = read_numa_maps_entries(HostRoot(tree.path()), 903);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].start_address, 0x7f2a40000000u);
  EXPECT_EQ((*entries)[0].file, "/dev/shm/pg\\040buf");
  EXPECT_EQ((*entries)[0].bytes_by_node, (NodeCounters{{0, 6000ull * 4096}, {1, 2192ull * 4096}}));
  EXPECT_EQ((*entries)[1].bytes_by_node, (NodeCounters{{1, 2ull * 2048 * 1024}}));
  EXPECT_EQ((*entries)[2].file, "");
  EXPECT_TRUE((*entries)[3].bytes_by_node.empty());
}

TEST(ProcfsTaskCpusAllowed, ReadsTheThreadsList) {
  FakeTree tree;
  tree.write("/proc/904/task/905/status", "Name:\tw\nCpus_allowed:\t0f0\nCpus_allowed_list:\t4-7\nMems_allowed_list:\t0\n");
  auto cpus = read_task_cpus_allowed(HostRoot(tree.path()), 904, 905);
  ASSERT_TRUE(cpus) << cpus.error().message;
  EXPECT_EQ(*cpus, (std::vector<int>{4, 5, 6, 7}));
}

TEST(ProcfsTaskMemsAllowed, ReadsTheCpusetsNodesNotTheHexMaskAndNoLineIsNoLimit) {
  FakeTree tree;
  tree.write("/proc/904/task/905/status",
             "Name:\tw\nCpus_allowed_list:\t4-7\nMems_allowed:\t00000000,00000005\nMems_allowed_list:\t0,2\n");
  auto mems = read_task_mems_allowed(HostRoot(tree.path()), 904, 905);
  ASSERT_TRUE(mems) << mems.error().message;
  EXPECT_EQ(*mems, (std::vector<int>{0, 2}));
  tree.write("/proc/904/task/906/status", "Name:\tw\nCpus_allowed_list:\t4-7\n");
  // A kernel without CONFIG_CPUSETS prints no such line: no limit known, not an error.
  auto missing = read_task_mems_allowed(HostRoot(tree.path()), 904, 906);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_TRUE(missing->empty());
  EXPECT_FALSE(read_task_mems_allowed(HostRoot(tree.path()), 904, 907));  // that thread is gone
}

TEST(ProcfsTaskCpusAllowed, MissingLineIsBadInputAndMissingThreadNotFound) {
  FakeTree tree;
  tree.write("/proc/904/task/905/status", "Name:\tw\n");
  auto cpus = read_task_cpus_allowed(HostRoot(tree.path()), 904, 905);
  ASSERT_FALSE(cpus);
  EXPECT_EQ(cpus.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(cpus.error().message.find("/proc/904/task/905/status"), std::string::npos) << cpus.error().message;
  auto gone = read_task_cpus_allowed(HostRoot(tree.path()), 904, 906);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace aurora
