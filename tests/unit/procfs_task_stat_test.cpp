// /proc/PID/stat parsing on fake trees modelled on real lines (proc(5)).
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

// A real 6.x stat line (from `cat /proc/self/stat`) with distinct values in the fields we read:
// ppid 17, minflt 101, majflt 3, utime 250, stime 75, num_threads 4, starttime 133148,
// rss 4142, processor 1.
std::string stat_line(const std::string& pid, const std::string& comm) {
  return pid + " (" + comm +
         ") S 17 18371 8007 0 -1 4194304 101 0 3 0 250 75 0 0 20 0 4 0 133148 3133440 4142 "
         "18446744073709551615 94539767283712 94539767303593 140733385211456 0 0 0 0 0 0 0 0 0 "
         "17 1 0 0 0 0 0 94539767319600 94539767321216 94540411678720 140733385214409 "
         "140733385214429 140733385214429 140733385215979 0\n";
}

TEST(ProcfsTaskStat, ReadsTheFieldsOfProcFive) {
  FakeTree tree;
  tree.write("/proc/4242/stat", stat_line("4242", "postgres"));
  auto stat = read_task_stat(HostRoot(tree.path()), 4242);
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->tid, 4242);
  EXPECT_EQ(stat->comm, "postgres");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->minor_faults, 101u);
  EXPECT_EQ(stat->major_faults, 3u);
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->stime_ticks, 75u);
  EXPECT_EQ(stat->num_threads, 4);
  EXPECT_EQ(stat->start_time_ticks, 133148u);
  EXPECT_EQ(stat->rss_pages, 4142u);
  EXPECT_EQ(stat->processor, 1);
  EXPECT_EQ(stat->cpu_ticks(), 325u);
  EXPECT_EQ(stat->cpu_ns(100), 3'250'000'000u);
}

TEST(ProcfsTaskStat, CommWithSpacesAndParenthesesIsTakenToTheLastParenthesis) {
  FakeTree tree;
  tree.write("/proc/7/stat", stat_line("7", "a) (b c) S 1"));
  auto stat = read_task_stat(HostRoot(tree.path()), 7);
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_EQ(stat->comm, "a) (b c) S 1");
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->processor, 1);
}

TEST(ProcfsTaskStat, ThreadStatComesFromTheTaskDirectory) {
  FakeTree tree;
  tree.write("/proc/100/stat", stat_line("100", "main"));
  tree.write("/proc/100/task/103/stat", stat_line("103", "worker-3"));
  auto stat = read_task_stat(HostRoot(tree.path()), 100, 103);
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_EQ(stat->pid, 100);
  EXPECT_EQ(stat->tid, 103);
  EXPECT_EQ(stat->comm, "worker-3");
}

TEST(ProcfsTaskStat, VanishedProcessIsNotFoundNamingThePid) {
  FakeTree tree;
  tree.mkdir("/proc");
  auto stat = read_task_stat(HostRoot(tree.path()), 31337);
  ASSERT_FALSE(stat);
  EXPECT_EQ(stat.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(stat.error().message.find("31337"), std::string::npos) << stat.error().message;
}

TEST(ProcfsTaskStat, TruncatedLineIsBadInputNamingTheFile) {
  FakeTree tree;
  tree.write("/proc/5/stat", "5 (sh) S 1 5 5 0 -1 4194304 101 0 3 0 250\n");
  auto stat = read_task_stat(HostRoot(tree.path()), 5);
  ASSERT_FALSE(stat);
  EXPECT_EQ(stat.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(stat.error().message.find("/proc/5/stat"), std::string::npos) << stat.error().message;
}

TEST(ProcfsTaskStat, NonNumericFieldIsBadInput) {
  FakeTree tree;
  std::string line = stat_line("5", "sh");
  line.replace(line.find(" 250 "), 5, " 2x0 ");
  tree.write("/proc/5/stat", line);
  auto stat = read_task_stat(HostRoot(tree.path()), 5);
  ASSERT_FALSE(stat);
  EXPECT_EQ(stat.error().kind, ErrorKind::kBadInput);
}

TEST(ProcfsTaskStat, MissingCommIsBadInput) {
  FakeTree tree;
  tree.write("/proc/5/stat", "5 sh S 1\n");
  auto stat = read_task_stat(HostRoot(tree.path()), 5);
  ASSERT_FALSE(stat);
  EXPECT_EQ(stat.error().kind, ErrorKind::kBadInput);
}

TEST(ProcfsTicks, ConvertsWithoutLosingTheRemainder) {
  EXPECT_EQ(ticks_to_ns(0, 100), 0u);
  EXPECT_EQ(ticks_to_ns(1, 100), 10'000'000u);
  EXPECT_EQ(ticks_to_ns(250, 100), 2'500'000'000u);
  EXPECT_EQ(ticks_to_ns(1, 1024), 976'562u);
  // A century of CPU time does not overflow.
  const std::uint64_t century_ticks = 100ull * 365 * 24 * 3600 * 100;
  EXPECT_EQ(ticks_to_ns(century_ticks, 100), century_ticks * 10'000'000ull);
  EXPECT_GT(clock_ticks_per_second(), 0);
}

TEST(ProcfsListing, ListsNumericEntriesSorted) {
  FakeTree tree;
  for (const char* dir : {"/proc/12", "/proc/3", "/proc/self", "/proc/sys", "/proc/1000", "/proc/acpi"})
    tree.mkdir(dir);
  tree.write("/proc/uptime", "1.0 1.0\n");
  auto pids = list_pids(HostRoot(tree.path()));
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(*pids, (std::vector<int>{3, 12, 1000}));
}

TEST(ProcfsListing, ListsThreadsAndReportsAVanishedProcess) {
  FakeTree tree;
  for (const char* dir : {"/proc/50/task/50", "/proc/50/task/52", "/proc/50/task/51"}) tree.mkdir(dir);
  auto tids = list_tids(HostRoot(tree.path()), 50);
  ASSERT_TRUE(tids) << tids.error().message;
  EXPECT_EQ(*tids, (std::vector<int>{50, 51, 52}));

  auto gone = list_tids(HostRoot(tree.path()), 51);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message.find("51"), std::string::npos);
}

}  // namespace
}  // namespace aurora
