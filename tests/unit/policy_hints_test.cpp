// read_policy_hints on fake /proc trees modelled on real 6.x files: shared-memory groups,
// AutoNUMA numa groups, application-pinned threads, kernel threads and vanishing pids.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "aurora/coordinator/policy_hints_reader.hpp"
#include "fake_tree.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kPage = 4096;

// One process in the fake tree: stat, one status per thread, sched, maps and numa_maps.
class FakeProcess {
 public:
  FakeProcess(const FakeTree& tree, int pid, std::string comm = "app") : tree_(tree), pid_(pid), comm_(std::move(comm)) {
    set_stat(/*flags=*/0x400000, /*rss_bytes=*/256 * kMiB);
    add_thread(pid, "0-3");
    set_numa_group(0);
    tree_.write(fmt::format("/proc/{}/maps", pid_), "");
    tree_.write(fmt::format("/proc/{}/numa_maps", pid_), "");
  }

  // A real stat line with the flags (field 9) and rss (field 24) we choose.
  FakeProcess& set_stat(unsigned long flags, std::uint64_t rss_bytes) {
    tree_.write(fmt::format("/proc/{}/stat", pid_),
                fmt::format("{} ({}) S 1 {} {} 0 -1 {} 101 0 3 0 250 75 0 0 20 0 1 0 133148 3133440 {} "
                            "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                            pid_, comm_, pid_, pid_, flags, rss_bytes / kPage));
    return *this;
  }
  FakeProcess& add_thread(int tid, const std::string& cpus_allowed_list) {
    tree_.write(fmt::format("/proc/{}/task/{}/status", pid_, tid),
                fmt::format("Name:\t{}\nTgid:\t{}\nPid:\t{}\nCpus_allowed:\tf\nCpus_allowed_list:\t{}\n"
                            "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t10\n",
                            comm_, pid_, tid, cpus_allowed_list));
    return *this;
  }
  FakeProcess& set_numa_group(int group, int tid = -1) {
    const std::string dir = tid < 0 ? fmt::format("/proc/{}", pid_) : fmt::format("/proc/{}/task/{}", pid_, tid);
    tree_.write(dir + "/sched",
                fmt::format("{} ({}, #threads: 1)\n"
                            "-------------------------------------------------------------------\n"
                            "se.exec_start                                :         12345.678901\n"
                            "mm->numa_scan_seq                            :                    3\n"
                            "numa_pages_migrated                          :                    0\n"
                            "numa_preferred_nid                           :                    0\n"
                            "total_numa_faults                            :                   40\n"
                            "current_node=0, numa_group_id={}\n"
                            "numa_faults node=0 task_private=10 task_shared=30 group_private=10 group_shared=30\n",
                            comm_, pid_, group));
    return *this;
  }
  // A MAP_SHARED (or private) mapping of `file` at `address` with `resident_bytes` on node 0;
  // `maps_path` is how maps prints the name (numa_maps escapes the space as \040).
  FakeProcess& map(std::uint64_t address, const std::string& numa_maps_file, const std::string& maps_path,
                   const std::string& device, std::uint64_t inode, std::uint64_t resident_bytes, bool shared = true) {
    const std::uint64_t size = std::max<std::uint64_t>(resident_bytes, kPage) * 2;
    maps_ += fmt::format("{:x}-{:x} {} 00000000 {} {}                        {}\n", address, address + size,
                         shared ? "rw-s" : "rw-p", device, inode, maps_path);
    numa_maps_ += fmt::format("{:x} default file={} dirty={} mapmax=2 N0={} kernelpagesize_kB=4\n", address,
                              numa_maps_file, resident_bytes / kPage, resident_bytes / kPage);
    flush_maps();
    return *this;
  }
  // Private anonymous memory (the heap).
  FakeProcess& heap(std::uint64_t address, std::uint64_t resident_bytes) {
    maps_ += fmt::format("{:x}-{:x} rw-p 00000000 00:00 0\n", address, address + resident_bytes);
    numa_maps_ += fmt::format("{:x} default anon={} dirty={} N0={} kernelpagesize_kB=4\n", address,
                              resident_bytes / kPage, resident_bytes / kPage, resident_bytes / kPage);
    flush_maps();
    return *this;
  }

 private:
  void flush_maps() {
    tree_.write(fmt::format("/proc/{}/maps", pid_), maps_);
    tree_.write(fmt::format("/proc/{}/numa_maps", pid_), numa_maps_);
  }
  const FakeTree& tree_;
  int pid_;
  std::string comm_;
  std::string maps_, numa_maps_;
};

Snapshot snapshot_of(const std::vector<int>& pids) {
  Snapshot snapshot;
  for (int pid : pids) {
    ProcessSample& process = snapshot.processes.emplace_back();
    process.pid = pid;
    process.comm = "app";
  }
  return snapshot;
}

PolicyHints read_hints(const FakeTree& tree, const std::vector<int>& pids) {
  PolicyHintsOptions options;
  options.numa_maps_min_rss_bytes = 64 * kMiB;
  options.min_shared_resident_bytes = 16 * kMiB;
  auto hints = read_policy_hints(HostRoot(tree.path()), snapshot_of(pids), options);
  EXPECT_TRUE(hints) << hints.error().message;
  return hints ? *hints : PolicyHints{};
}

TEST(PolicyHints, TwoProcessesMappingOneDevShmObjectShareOneKey) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/pgbuf", "/dev/shm/pgbuf", "00:19", 4242, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f5500000000, "/dev/shm/pgbuf", "/dev/shm/pgbuf", "00:19", 4242, 20 * kMiB);
  FakeProcess(tree, 300).heap(0x7f0000000000, 200 * kMiB);
  const PolicyHints hints = read_hints(tree, {100, 200, 300});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "shm:00:19:4242"}, {200, "shm:00:19:4242"}}));
  // What each maps of it, by node: the policy counts the object once for the group.
  ASSERT_EQ(hints.shared_objects.count(100), 1u);
  EXPECT_EQ(hints.shared_objects.at(100).at("shm:00:19:4242"), (NodeCounters{{0, 32 * kMiB}}));
  EXPECT_EQ(hints.shared_objects.at(200).at("shm:00:19:4242"), (NodeCounters{{0, 20 * kMiB}}));
  EXPECT_EQ(hints.shared_objects.count(300), 0u);
  EXPECT_TRUE(hints.threads_fixed.empty());
  EXPECT_TRUE(hints.kernel_threads.empty());
}

TEST(PolicyHints, AnObjectMappedByOneProcessGivesNoKey) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/mine", "/dev/shm/mine", "00:19", 11, 32 * kMiB);
  // Same name, another inode (the first was unlinked and re-created): another object.
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/mine", "/dev/shm/mine", "00:19", 12, 32 * kMiB);
  EXPECT_TRUE(read_hints(tree, {100, 200}).share_group.empty());
}

TEST(PolicyHints, SysvAndMemfdObjectsAreKeyedByInodeNotName) {
  FakeTree tree;
  FakeProcess(tree, 100)
      .map(0x7f0000000000, "/SYSV0000162e\\040(deleted)", "/SYSV0000162e (deleted)", "00:01", 32769, 64 * kMiB)
      .map(0x7f1000000000, "/memfd:buf\\040(deleted)", "/memfd:buf (deleted)", "00:01", 5001, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f2000000000, "/SYSV0000162e\\040(deleted)", "/SYSV0000162e (deleted)", "00:01", 32769,
                             64 * kMiB);
  // Another process's memfd of the same name is a different object.
  FakeProcess(tree, 300).map(0x7f1000000000, "/memfd:buf\\040(deleted)", "/memfd:buf (deleted)", "00:01", 5002,
                             32 * kMiB);
  const PolicyHints hints = read_hints(tree, {100, 200, 300});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "shm:00:01:32769"}, {200, "shm:00:01:32769"}}));
}

// MAP_SHARED | MAP_ANONYMOUS memory inherited across fork (a pre-forking server's buffers):
// the kernel backs each mmap call with its own shmem file, printed "/dev/zero (deleted)", whose
// inode is the same in the parent and every child. A private mapping of /dev/zero is not shared.
TEST(PolicyHints, AnonymousSharedMemoryInheritedAcrossForkIsKeyedByItsInode) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f6265569000, "/dev/zero\\040(deleted)", "/dev/zero (deleted)", "00:01", 2435, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f6265569000, "/dev/zero\\040(deleted)", "/dev/zero (deleted)", "00:01", 2435, 24 * kMiB);
  // Another parent's region: same name, its own inode.
  FakeProcess(tree, 300).map(0x7f6265569000, "/dev/zero\\040(deleted)", "/dev/zero (deleted)", "00:01", 2436, 32 * kMiB);
  FakeProcess(tree, 400).map(0x7f0000000000, "/dev/zero", "/dev/zero", "00:05", 4, 32 * kMiB, /*shared=*/false);
  FakeProcess(tree, 500).map(0x7f0000000000, "/dev/zero", "/dev/zero", "00:05", 4, 32 * kMiB, /*shared=*/false);
  const PolicyHints hints = read_hints(tree, {100, 200, 300, 400, 500});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "shm:00:01:2435"}, {200, "shm:00:01:2435"}}));
}

// A regular file two processes map MAP_SHARED (an LMDB environment, a database's mmapped data
// files) joins them like a segment does; a private mapping of it (how libraries are mapped)
// does not, nor does a shared mapping of a device file (each open of a GPU node has its own
// buffers).
TEST(PolicyHints, AFileMappedSharedByTwoProcessesGroupsThem) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/srv/db/data.mdb", "/srv/db/data.mdb", "103:02", 77, 48 * kMiB);
  FakeProcess(tree, 200).map(0x7f4000000000, "/srv/db/data.mdb", "/srv/db/data.mdb", "103:02", 77, 40 * kMiB);
  FakeProcess(tree, 300).map(0x7f0000000000, "/srv/db/data.mdb", "/srv/db/data.mdb", "103:02", 77, 48 * kMiB, /*shared=*/false);
  FakeProcess(tree, 400).map(0x7f0000000000, "/srv/db/data.mdb", "/srv/db/data.mdb", "103:02", 77, 48 * kMiB, /*shared=*/false);
  FakeProcess(tree, 500).map(0x7f0000000000, "/dev/dri/card0", "/dev/dri/card0", "00:05", 500, 32 * kMiB);
  FakeProcess(tree, 600).map(0x7f0000000000, "/dev/dri/card0", "/dev/dri/card0", "00:05", 500, 32 * kMiB);
  // hugetlbfs files are files, under /dev/hugepages or not.
  FakeProcess(tree, 700).map(0x7f0000000000, "/dev/hugepages/buf", "/dev/hugepages/buf", "00:2e", 9, 64 * kMiB);
  FakeProcess(tree, 800).map(0x7f0000000000, "/dev/hugepages/buf", "/dev/hugepages/buf", "00:2e", 9, 64 * kMiB);
  const PolicyHints hints = read_hints(tree, {100, 200, 300, 400, 500, 600, 700, 800});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "file:103:02:77"}, {200, "file:103:02:77"},
                                                           {700, "file:00:2e:9"}, {800, "file:00:2e:9"}}));
  EXPECT_EQ(hints.shared_objects.at(200).at("file:103:02:77"), (NodeCounters{{0, 40 * kMiB}}));
}

TEST(PolicyHints, MappingsBelowSixteenMibResidentAreIgnored) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/small", "/dev/shm/small", "00:19", 7, 15 * kMiB);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/small", "/dev/shm/small", "00:19", 7, 15 * kMiB);
  EXPECT_TRUE(read_hints(tree, {100, 200}).share_group.empty());
}

TEST(PolicyHints, ResidentBytesOfOneObjectAddUpOverItsMappings) {
  FakeTree tree;
  // Two 10 MiB windows onto one object: 20 MiB of it resident in this process.
  FakeProcess(tree, 100)
      .map(0x7f0000000000, "/dev/shm/win", "/dev/shm/win", "00:19", 7, 10 * kMiB)
      .map(0x7f1000000000, "/dev/shm/win", "/dev/shm/win", "00:19", 7, 10 * kMiB);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/win", "/dev/shm/win", "00:19", 7, 20 * kMiB);
  EXPECT_EQ(read_hints(tree, {100, 200}).share_group.size(), 2u);
}

TEST(PolicyHints, PrivateMappingsOfAShmFileAreNotSharedMemory) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/cow", "/dev/shm/cow", "00:19", 7, 32 * kMiB, /*shared=*/false);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/cow", "/dev/shm/cow", "00:19", 7, 32 * kMiB, /*shared=*/false);
  EXPECT_TRUE(read_hints(tree, {100, 200}).share_group.empty());
}

TEST(PolicyHints, NumaMapsIsNotReadForProcessesBelowTheRssThreshold) {
  FakeTree tree;
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/x", "/dev/shm/x", "00:19", 7, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/x", "/dev/shm/x", "00:19", 7, 32 * kMiB).set_stat(0x400000, 40 * kMiB);
  // Were it read, this file would be an error.
  tree.write("/proc/200/numa_maps", "not hex at all\n");
  EXPECT_TRUE(read_hints(tree, {100, 200}).share_group.empty());
  // The same process above the threshold: its numa_maps is read (and is an error naming it).
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/x", "/dev/shm/x", "00:19", 7, 32 * kMiB).set_stat(0x400000, 100 * kMiB);
  tree.write("/proc/200/numa_maps", "not hex at all\n");
  auto hints = read_policy_hints(HostRoot(tree.path()), snapshot_of({100, 200}));
  ASSERT_FALSE(hints);
  EXPECT_EQ(hints.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(hints.error().message.find("/proc/200/numa_maps"), std::string::npos) << hints.error().message;
}

TEST(PolicyHints, NumaMapsIsNotWalkedWhenMapsShowsNoLargeSharedObject) {
  FakeTree tree;
  // A large process with only private memory, and one whose shared segment is 8 MiB in all:
  // maps rules both out, so their (here unreadable) numa_maps are never read.
  FakeProcess(tree, 100).heap(0x7f0000000000, 200 * kMiB);
  tree.write("/proc/100/numa_maps", "not hex at all\n");
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/tiny", "/dev/shm/tiny", "00:19", 7, 4 * kMiB);
  tree.write("/proc/200/numa_maps", "not hex at all\n");
  const PolicyHints hints = read_hints(tree, {100, 200});
  EXPECT_TRUE(hints.share_group.empty());
  // With a 32 MiB segment in maps, the same numa_maps is read (and is an error naming it).
  FakeProcess(tree, 300).map(0x7f0000000000, "/dev/shm/big", "/dev/shm/big", "00:19", 8, 16 * kMiB);
  tree.write("/proc/300/numa_maps", "not hex at all\n");
  auto walked = read_policy_hints(HostRoot(tree.path()), snapshot_of({300}));
  ASSERT_FALSE(walked);
  EXPECT_NE(walked.error().message.find("/proc/300/numa_maps"), std::string::npos) << walked.error().message;
}

TEST(PolicyHints, NumaGroupSharedByTwoProcessesGroupsThem) {
  FakeTree tree;
  tree.write("/proc/sys/kernel/numa_balancing", "1\n");
  FakeProcess(tree, 100).set_numa_group(100);
  FakeProcess(tree, 200).set_numa_group(100);
  FakeProcess(tree, 300).set_numa_group(300);  // a group among its own threads only
  const PolicyHints hints = read_hints(tree, {100, 200, 300});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "numa_group:100"}, {200, "numa_group:100"}}));
}

TEST(PolicyHints, NumaGroupOfAWorkerThreadCountsWhenTheMainThreadHasNone) {
  FakeTree tree;
  tree.write("/proc/sys/kernel/numa_balancing", "1\n");
  FakeProcess(tree, 100).set_numa_group(100);
  FakeProcess(tree, 200).add_thread(201, "0-3").set_numa_group(0).set_numa_group(100, 201);
  const PolicyHints hints = read_hints(tree, {100, 200});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "numa_group:100"}, {200, "numa_group:100"}}));
}

TEST(PolicyHints, NumaGroupIdsAreIgnoredWhileNumaBalancingIsOff) {
  FakeTree tree;
  tree.write("/proc/sys/kernel/numa_balancing", "0\n");
  FakeProcess(tree, 100).set_numa_group(100);
  FakeProcess(tree, 200).set_numa_group(100);
  EXPECT_TRUE(read_hints(tree, {100, 200}).share_group.empty());
}

TEST(PolicyHints, OverlappingGroupsMergeUnderTheirSmallestKey) {
  FakeTree tree;
  tree.write("/proc/sys/kernel/numa_balancing", "1\n");
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/a", "/dev/shm/a", "00:19", 7, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/a", "/dev/shm/a", "00:19", 7, 32 * kMiB).set_numa_group(300);
  FakeProcess(tree, 300).set_numa_group(300).map(0x7f0000000000, "/dev/shm/b", "/dev/shm/b", "00:19", 8, 32 * kMiB);
  FakeProcess(tree, 400).map(0x7f0000000000, "/dev/shm/b", "/dev/shm/b", "00:19", 8, 32 * kMiB);
  FakeProcess(tree, 500).map(0x7f0000000000, "/dev/shm/c", "/dev/shm/c", "00:19", 9, 32 * kMiB);
  FakeProcess(tree, 600).map(0x7f0000000000, "/dev/shm/c", "/dev/shm/c", "00:19", 9, 32 * kMiB);
  // 100-200 (shm a), 200-300 (numa group), 300-400 (shm b): one component; 500-600 another.
  const PolicyHints forward = read_hints(tree, {100, 200, 300, 400, 500, 600});
  const std::map<int, std::string> expected = {{100, "numa_group:300"}, {200, "numa_group:300"},
                                               {300, "numa_group:300"}, {400, "numa_group:300"},
                                               {500, "shm:00:19:9"},    {600, "shm:00:19:9"}};
  EXPECT_EQ(forward.share_group, expected);
  EXPECT_EQ(read_hints(tree, {600, 500, 400, 300, 200, 100}).share_group, expected);
}

TEST(PolicyHints, ThreadsPinnedToDifferentCpusAreFixed) {
  FakeTree tree;
  // OpenMP proc_bind: the main thread keeps the process's CPUs, each worker gets its own.
  FakeProcess(tree, 100).add_thread(101, "0").add_thread(102, "1").add_thread(103, "2-3");
  // Every thread pinned, the main thread too (DPDK lcores).
  FakeProcess(tree, 200).add_thread(200, "0").add_thread(201, "1");
  const PolicyHints hints = read_hints(tree, {100, 200});
  EXPECT_EQ(hints.threads_fixed, (std::set<int>{100, 200}));
}

TEST(PolicyHints, OneCommonMaskIsNotFixed) {
  FakeTree tree;
  // taskset/numactl/cpuset: every thread has the same (narrow) mask.
  FakeProcess(tree, 100).add_thread(100, "2-3").add_thread(101, "2-3").add_thread(102, "2-3");
  // Two workers share one narrowed mask: the process narrowed them together, not per thread.
  FakeProcess(tree, 200).add_thread(201, "1").add_thread(202, "1");
  // `taskset -p` on the main thread only: one narrower thread is no per-thread placement.
  FakeProcess(tree, 300).add_thread(300, "0").add_thread(301, "0-3").add_thread(302, "0-3");
  // A single thread cannot differ from anything.
  FakeProcess(tree, 400).add_thread(400, "1");
  EXPECT_TRUE(read_hints(tree, {100, 200, 300, 400}).threads_fixed.empty());
}

TEST(PolicyHints, AllowedCpusAreTheUnionOfTheThreadsMasks) {
  FakeTree tree;
  FakeProcess(tree, 100).add_thread(100, "4-5").add_thread(101, "0").add_thread(102, "6");
  FakeProcess(tree, 200);  // one thread, allowed 0-3
  const PolicyHints hints = read_hints(tree, {100, 200});
  EXPECT_EQ(hints.allowed_cpus.at(100), (std::vector<int>{0, 4, 5, 6}));
  EXPECT_EQ(hints.allowed_cpus.at(200), (std::vector<int>{0, 1, 2, 3}));
}

TEST(PolicyHints, CpusetsGiveTheCgroupsCpusAndTheStatusMemoryNodes) {
  FakeTree tree;
  tree.write("/sys/devices/system/cpu/online", "0-3\n");
  // In a container's cgroup (v2) confined to CPUs 2-3; its threads' own masks are wider.
  FakeProcess(tree, 100).add_thread(101, "0-3");
  tree.write("/proc/100/cpuset", "/system.slice/docker-0123.scope\n");
  tree.write("/sys/fs/cgroup/system.slice/docker-0123.scope/cpuset.cpus.effective", "2-3\n");
  // No cpuset controller anywhere: the online CPUs.
  FakeProcess(tree, 200);
  const PolicyHints hints = read_hints(tree, {100, 200});
  ASSERT_EQ(hints.cpusets.count(100), 1u);
  EXPECT_EQ(hints.cpusets.at(100).cpus, (std::vector<int>{2, 3}));
  EXPECT_EQ(hints.cpusets.at(100).mems, (std::vector<int>{0}));  // Mems_allowed_list of its status
  EXPECT_EQ(hints.cpusets.at(200).cpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(hints.allowed_cpus.at(100), (std::vector<int>{0, 1, 2, 3}));
}

TEST(PolicyHints, AThreadThatExitedIsSkippedNotAnError) {
  FakeTree tree;
  FakeProcess(tree, 100).add_thread(101, "0").add_thread(102, "1");
  tree.mkdir("/proc/100/task/103");  // listed, then gone before its status was read
  EXPECT_EQ(read_hints(tree, {100}).threads_fixed, (std::set<int>{100}));
}

TEST(PolicyHints, MalformedCpusAllowedListIsBadInputNamingTheFile) {
  FakeTree tree;
  FakeProcess(tree, 100).add_thread(101, "0-x");
  auto hints = read_policy_hints(HostRoot(tree.path()), snapshot_of({100}));
  ASSERT_FALSE(hints);
  EXPECT_EQ(hints.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(hints.error().message.find("/proc/100/task/101/status"), std::string::npos) << hints.error().message;
}

TEST(PolicyHints, VanishedPidsAreSkippedSilently) {
  FakeTree tree;
  tree.write("/proc/sys/kernel/numa_balancing", "1\n");
  FakeProcess(tree, 100).map(0x7f0000000000, "/dev/shm/a", "/dev/shm/a", "00:19", 7, 32 * kMiB);
  FakeProcess(tree, 200).map(0x7f0000000000, "/dev/shm/a", "/dev/shm/a", "00:19", 7, 32 * kMiB);
  // 300 exited after its stat and threads were read: numa_maps, maps and sched are gone.
  FakeProcess(tree, 300).add_thread(301, "0").add_thread(302, "1");
  tree.remove("/proc/300/numa_maps");
  tree.remove("/proc/300/maps");
  tree.remove("/proc/300/sched");
  // 400 is in the snapshot and no longer in /proc at all.
  const PolicyHints hints = read_hints(tree, {300, 400, 100, 200});
  EXPECT_EQ(hints.share_group, (std::map<int, std::string>{{100, "shm:00:19:7"}, {200, "shm:00:19:7"}}));
  EXPECT_EQ(hints.threads_fixed, (std::set<int>{300}));  // learnt before it vanished
}

TEST(PolicyHints, KernelThreadsAreDetectedFromTheirFlags) {
  FakeTree tree;
  FakeProcess(tree, 2, "kthreadd").set_stat(0x208040, 0);
  FakeProcess(tree, 57, "kswapd0").set_stat(0x00a00840, 0);
  FakeProcess(tree, 100);
  const PolicyHints hints = read_hints(tree, {2, 57, 100});
  EXPECT_EQ(hints.kernel_threads, (std::set<int>{2, 57}));
  EXPECT_TRUE(hints.threads_fixed.empty());
}

}  // namespace
}  // namespace aurora::coord
