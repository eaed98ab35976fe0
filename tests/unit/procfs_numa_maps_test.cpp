// /proc/PID/numa_maps parsing on fake trees modelled on real 6.x output.
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

constexpr std::uint64_t kKiB = 1024;

// A database on a two-node machine: binary text, a 1 GiB anonymous heap spread over both
// nodes, a hugetlbfs shared segment bound to node 1, an interleaved arena, an anonymous
// MAP_HUGETLB mapping (file=/anon_hugepage, escaped by the kernel), the stack, and [vvar]-like
// mappings with nothing resident (no N entries, no kernelpagesize_kB).
const char* kTwoNodeNumaMaps =
    "55d9dc98d000 default file=/usr/lib/postgresql/15/bin/postgres mapped=412 mapmax=2 active=0 "
    "N0=412 kernelpagesize_kB=4\n"
    "7f2a40000000 default anon=262144 dirty=262144 active=0 N0=131072 N1=131072 "
    "kernelpagesize_kB=4\n"
    "7f2b00000000 bind:1 file=/dev/hugepages/pg-shm huge dirty=512 mapmax=3 N1=512 "
    "kernelpagesize_kB=2048\n"
    "7f2c00000000 interleave:0-1 anon=1024 dirty=1024 N0=512 N1=512 kernelpagesize_kB=4\n"
    "7f2d00000000 default file=/anon_hugepage\\040(deleted) huge anon=4 dirty=4 N0=4 "
    "kernelpagesize_kB=2048\n"
    "7f2e00000000 prefer:0 file=/data/N1\\0757 mapped=3 N0=3 kernelpagesize_kB=4\n"
    "7ffc1a000000 default stack anon=33 dirty=33 active=0 N0=33 kernelpagesize_kB=4\n"
    "7ffc1a1f0000 default\n"
    "7ffc1a1f4000 default\n";

TEST(ProcfsNumaMaps, SumsPagesTimesPageSizeByNode) {
  FakeTree tree;
  tree.write("/proc/900/numa_maps", kTwoNodeNumaMaps);
  auto bytes = read_numa_maps(HostRoot(tree.path()), 900);
  ASSERT_TRUE(bytes) << bytes.error().message;
  const std::uint64_t node0 = (412 + 131072 + 512 + 3 + 33) * 4 * kKiB + 4 * 2048 * kKiB;
  const std::uint64_t node1 = (131072 + 512) * 4 * kKiB + 512 * 2048 * kKiB;
  EXPECT_EQ(bytes->size(), 2u);
  EXPECT_EQ(bytes->at(0), node0);
  EXPECT_EQ(bytes->at(1), node1);
}

TEST(ProcfsNumaMaps, TotalsSplitOutFileMappings) {
  FakeTree tree;
  tree.write("/proc/900/numa_maps", kTwoNodeNumaMaps);
  auto totals = read_numa_maps_totals(HostRoot(tree.path()), 900);
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->bytes_by_node, *read_numa_maps(HostRoot(tree.path()), 900));
  // The postgres binary, /data/N1=7 and the two hugetlbfs mappings; not the heap, the arena
  // or the stack.
  EXPECT_EQ(totals->file_bytes_by_node.at(0), (412 + 3) * 4 * kKiB + 4 * 2048 * kKiB);
  EXPECT_EQ(totals->file_bytes_by_node.at(1), 512 * 2048 * kKiB);
  // Shared memory objects and anonymous MAP_SHARED memory are not file mappings: they move.
  tree.write("/proc/905/numa_maps",
             "7f0000000000 default file=/dev/shm/seg mapped=10 N0=10 kernelpagesize_kB=4\n"
             "7f1000000000 default file=/memfd:cache\\040(deleted) dirty=5 N1=5 kernelpagesize_kB=4\n"
             "7f2000000000 default file=/dev/zero\\040(deleted) dirty=7 N1=7 kernelpagesize_kB=4\n"
             "7f3000000000 default file=/SYSV00000000\\040(deleted) dirty=2 N0=2 kernelpagesize_kB=4\n"
             "7f4000000000 default file=/var/lib/db/table mapped=9 N1=9 kernelpagesize_kB=4\n");
  auto shared = read_numa_maps_totals(HostRoot(tree.path()), 905);
  ASSERT_TRUE(shared) << shared.error().message;
  EXPECT_EQ(shared->file_bytes_by_node, (NodeCounters{{1, 9 * 4 * kKiB}}));
  EXPECT_EQ(shared->bytes_by_node.at(1), (5 + 7 + 9) * 4 * kKiB);
}

TEST(ProcfsNumaMaps, SparseNodeIdsAreKept) {
  FakeTree tree;
  tree.write("/proc/901/numa_maps",
             "7f0000000000 default anon=10 dirty=10 N2=6 N5=4 kernelpagesize_kB=4\n");
  auto bytes = read_numa_maps(HostRoot(tree.path()), 901);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, (NodeCounters{{2, 6 * 4 * kKiB}, {5, 4 * 4 * kKiB}}));
}

TEST(ProcfsNumaMaps, KernelThreadOrZombieHasNoMemory) {
  FakeTree tree;
  tree.write("/proc/2/numa_maps", "");
  auto bytes = read_numa_maps(HostRoot(tree.path()), 2);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_TRUE(bytes->empty());
}

TEST(ProcfsNumaMaps, NonNumericNodeCountIsBadInputNamingTheFileAndLine) {
  FakeTree tree;
  tree.write("/proc/902/numa_maps",
             "7f0000000000 default anon=1 N0=1 kernelpagesize_kB=4\n"
             "7f0000001000 default anon=1 N0=lots kernelpagesize_kB=4\n");
  auto bytes = read_numa_maps(HostRoot(tree.path()), 902);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(bytes.error().message.find("/proc/902/numa_maps:2"), std::string::npos)
      << bytes.error().message;
}

TEST(ProcfsNumaMaps, GarbageIsBadInput) {
  FakeTree tree;
  tree.write("/proc/903/numa_maps", "this is not numa_maps\n");
  auto bytes = read_numa_maps(HostRoot(tree.path()), 903);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().kind, ErrorKind::kBadInput);

  tree.write("/proc/904/numa_maps", "7f0000000000 default N0=1 kernelpagesize_kB=0\n");
  auto zero_page = read_numa_maps(HostRoot(tree.path()), 904);
  ASSERT_FALSE(zero_page);
  EXPECT_EQ(zero_page.error().kind, ErrorKind::kBadInput);
}

TEST(ProcfsNumaMaps, VanishedProcessIsNotFoundNamingThePid) {
  FakeTree tree;
  tree.mkdir("/proc");
  auto bytes = read_numa_maps(HostRoot(tree.path()), 4711);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(bytes.error().message.find("process 4711"), std::string::npos) << bytes.error().message;
}

}  // namespace
}  // namespace aurora
