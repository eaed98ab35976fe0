// The /proc readers against this kernel, on processes the test starts.
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "aurora/memory_placement.hpp"
#include "aurora/procfs.hpp"
#include "test_child.hpp"

namespace aurora {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

std::uint64_t own_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t rusage_cpu_ns(const rusage& usage) {
  const auto ns = [](const timeval& tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(tv.tv_usec) * 1000ull;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

// Maps `bytes` of anonymous memory and writes every page, so it is resident.
void* touch_anonymous(std::uint64_t bytes, bool huge_pages) {
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) ::_exit(121);
  if (huge_pages) ::madvise(memory, bytes, MADV_HUGEPAGE);
  std::memset(memory, 0x5a, bytes);
  return memory;
}

TEST(ProcfsLive, TaskStatOfACpuBoundChildAgreesWithItsRusage) {
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  const int pinned_cpu = cpus > 1 ? 1 : 0;
  TestChild child([&](TestChild::Channel& channel) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pinned_cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);
    volatile std::uint64_t sink = 0;
    while (own_cpu_ns() < 600'000'000ull) sink = sink + 1;
    channel.report(own_cpu_ns());
  });
  const std::uint64_t child_clock_ns = child.wait_ready();

  // The child reported and is about to block waiting for its release: wait until it sleeps,
  // so its CPU time no longer moves.
  Result<TaskStat> stat = read_task_stat(HostRoot(), child.pid());
  for (int i = 0; i < 1000 && stat && stat->state != 'S'; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stat = read_task_stat(HostRoot(), child.pid());
  }
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->pid, child.pid());
  EXPECT_EQ(stat->ppid, ::getpid());
  EXPECT_EQ(stat->processor, pinned_cpu);
  EXPECT_EQ(stat->num_threads, 1);
  const std::uint64_t stat_ns = stat->cpu_ns();

  const rusage usage = child.finish();
  const std::uint64_t rusage_ns = rusage_cpu_ns(usage);
  // Same kernel accounting at different granularity: ticks (10 ms) vs microseconds.
  const auto close_to = [](std::uint64_t a, std::uint64_t b) {
    const std::uint64_t diff = a > b ? a - b : b - a;
    return diff <= 20'000'000ull + b / 50;
  };
  EXPECT_TRUE(close_to(stat_ns, rusage_ns)) << "stat " << stat_ns << " ns, rusage " << rusage_ns << " ns";
  EXPECT_TRUE(close_to(stat_ns, child_clock_ns))
      << "stat " << stat_ns << " ns, child's CLOCK_PROCESS_CPUTIME_ID " << child_clock_ns << " ns";
  EXPECT_GE(stat_ns, 580'000'000ull);
}

TEST(ProcfsLive, ThreadsAreListedAndReadOneByOne) {
  TestChild child([](TestChild::Channel& channel) {
    std::vector<std::thread> workers;
    int release[2];
    if (::pipe(release) != 0) ::_exit(122);
    for (int i = 0; i < 2; ++i)
      workers.emplace_back([&] {
        char byte;
        (void)!::read(release[0], &byte, 1);
      });
    channel.report(0);
    ::_exit(0);  // workers still blocked: exit the whole group
  });
  child.wait_ready();
  auto tids = list_tids(HostRoot(), child.pid());
  ASSERT_TRUE(tids) << tids.error().message;
  ASSERT_EQ(tids->size(), 3u);
  EXPECT_EQ(tids->front(), child.pid());
  for (int tid : *tids) {
    auto stat = read_task_stat(HostRoot(), child.pid(), tid);
    ASSERT_TRUE(stat) << stat.error().message;
    EXPECT_EQ(stat->tid, tid);
    EXPECT_EQ(stat->pid, child.pid());
    EXPECT_EQ(stat->num_threads, 3);
  }
  auto pids = list_pids(HostRoot());
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_TRUE(std::binary_search(pids->begin(), pids->end(), child.pid()));
  EXPECT_FALSE(std::binary_search(pids->begin(), pids->end(), tids->back()));  // threads are not pids
}

TEST(ProcfsLive, NumaMapsTotalsOfAChildCountItsMappedFileAsFilePages) {
  // A child with 32 MiB of anonymous memory and a 16 MiB file it mapped and read: the file's
  // page cache is in the file figure, the anonymous memory is not.
  char path[] = "/tmp/aurora-numa-maps-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(16 * kMiB)), 0);
  ::close(fd);
  TestChild child([&path](TestChild::Channel& channel) {
    touch_anonymous(32 * kMiB, false);
    const int file_fd = ::open(path, O_RDWR);
    void* file = file_fd < 0 ? MAP_FAILED : ::mmap(nullptr, 16 * kMiB, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
    if (file == MAP_FAILED) channel.report(errno);
    std::memset(file, 1, 16 * kMiB);
    channel.report(0);
  });
  const auto child_error = child.wait_ready();
  ::unlink(path);
  ASSERT_EQ(child_error, 0u) << "the child could not map the file: " << std::strerror(static_cast<int>(child_error));
  auto totals = read_numa_maps_totals(HostRoot(), child.pid());
  ASSERT_TRUE(totals) << totals.error().message;
  ASSERT_EQ(totals->file_bytes_by_node.count(0), 1u);
  EXPECT_GE(totals->file_bytes_by_node.at(0), 16 * kMiB);
  EXPECT_LT(totals->file_bytes_by_node.at(0), 32 * kMiB);  // the anonymous 32 MiB are not in it
  EXPECT_GE(totals->bytes_by_node.at(0), 48 * kMiB);
}

TEST(ProcfsLive, NumaMapsOfAChildTouching64MiBShowsItOnNodeZero) {
  auto before = read_vmstat_numa(HostRoot());
  ASSERT_TRUE(before) << before.error().message;
  TestChild child([](TestChild::Channel& channel) {
    touch_anonymous(64 * kMiB, false);
    channel.report(0);
  });
  child.wait_ready();
  auto bytes = read_numa_maps(HostRoot(), child.pid());
  ASSERT_TRUE(bytes) << bytes.error().message;
  ASSERT_EQ(bytes->count(0), 1u);
  EXPECT_GE(bytes->at(0), 64 * kMiB);

  auto stat = read_task_stat(HostRoot(), child.pid());
  ASSERT_TRUE(stat);
  const std::uint64_t rss = stat->rss_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_GE(rss, 64 * kMiB);

  // 16384 page allocations on the only node, all of them where the child wanted them.
  auto after = read_vmstat_numa(HostRoot());
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_GE(after->numa_hit - before->numa_hit, 16384u);
  EXPECT_GE(after->numa_local - before->numa_local, 16384u);

  // The sampler reads it once, then serves the cache within its interval.
  MemoryPlacementSampler sampler(HostRoot(), {32 * kMiB, std::chrono::seconds(30)});
  auto first = sampler.sample(child.pid(), rss);
  ASSERT_TRUE(first && first->has_value()) << (first ? "below threshold" : first.error().message);
  EXPECT_TRUE((*first)->fresh);
  EXPECT_GE((*first)->bytes_by_node.at(0), 64 * kMiB);
  auto second = sampler.sample(child.pid(), rss);
  ASSERT_TRUE(second && second->has_value());
  EXPECT_FALSE((*second)->fresh);
  EXPECT_EQ(sampler.stats().reads, 1u);
  EXPECT_GT(sampler.stats().read_ns, 0u);
}

TEST(ProcfsLive, SchedNumaBlockOfALiveTask) {
  TestChild child([](TestChild::Channel& channel) { channel.report(0); });
  child.wait_ready();
  auto numa = read_proc_sched_numa(HostRoot(), child.pid());
  ASSERT_TRUE(numa) << numa.error().message;
  auto vm = read_vmstat_numa(HostRoot());
  ASSERT_TRUE(vm);
  // This kernel has CONFIG_NUMA_BALANCING (vmstat has numa_hint_faults), so the block is there.
  EXPECT_EQ(numa->available, vm->has_numa_balancing);
  if (numa->available) {
    EXPECT_EQ(numa->current_node, 0);
    ASSERT_FALSE(numa->faults.empty());
    EXPECT_EQ(numa->faults.front().node, 0);
  }
  auto thread = read_proc_sched_numa(HostRoot(), child.pid(), child.pid());
  ASSERT_TRUE(thread) << thread.error().message;
  EXPECT_EQ(thread->available, numa->available);
}

TEST(ProcfsLive, AReapedChildIsNotFoundNamingItsPid) {
  pid_t pid = -1;
  {
    TestChild child([](TestChild::Channel& channel) { channel.report(0); });
    child.wait_ready();
    pid = child.pid();
    child.finish();
  }
  for (const Error& error : {read_task_stat(HostRoot(), pid).error(),
                             read_numa_maps(HostRoot(), pid).error(),
                             read_proc_sched_numa(HostRoot(), pid).error(),
                             list_tids(HostRoot(), pid).error()}) {
    EXPECT_EQ(error.kind, ErrorKind::kNotFound) << error.message;
    EXPECT_NE(error.message.find(std::to_string(pid)), std::string::npos) << error.message;
  }
}

TEST(ProcfsLive, SelfUsageMatchesProcSelfStat) {
  auto usage = read_self_usage();
  ASSERT_TRUE(usage) << usage.error().message;
  auto stat = read_task_stat(HostRoot(), ::getpid());
  ASSERT_TRUE(stat);
  const std::uint64_t stat_rss = stat->rss_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  // Two reads a few microseconds apart of the same counter.
  EXPECT_NEAR(static_cast<double>(usage->rss_bytes), static_cast<double>(stat_rss), 1.0 * kMiB);
  EXPECT_NEAR(static_cast<double>(usage->cpu_ns), static_cast<double>(stat->cpu_ns()), 30e6);
}

// Measures what numa_maps costs on a large process (docs/locality-sources.md); asserts only
// that it reads the memory, and prints the time.
TEST(ProcfsLive, NumaMapsCostOnOneGiB) {
  for (bool huge : {false, true}) {
    TestChild child([huge](TestChild::Channel& channel) {
      touch_anonymous(1024 * kMiB, huge);
      channel.report(0);
    });
    child.wait_ready();
    constexpr int kReads = 5;
    std::uint64_t best_ns = ~0ull, total_ns = 0;
    timespec cpu_start{}, cpu_end{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
    for (int i = 0; i < kReads; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto bytes = read_numa_maps(HostRoot(), child.pid());
      const auto ns = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
      ASSERT_TRUE(bytes) << bytes.error().message;
      EXPECT_GE(bytes->at(0), 1024 * kMiB);
      best_ns = std::min(best_ns, ns);
      total_ns += ns;
    }
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
    const double cpu_ms = ((cpu_end.tv_sec - cpu_start.tv_sec) * 1e9 + (cpu_end.tv_nsec - cpu_start.tv_nsec)) / 1e6;
    std::printf("MEASURED numa_maps read, 1 GiB touched (%s): %.2f ms CPU mean; wall best %.2f ms, "
                "mean %.2f ms over %d reads\n",
                huge ? "MADV_HUGEPAGE" : "4 KiB pages", cpu_ms / kReads, best_ns / 1e6,
                total_ns / 1e6 / kReads, kReads);
  }
}

}  // namespace
}  // namespace aurora

namespace aurora {
namespace {

// Per-call cost of the per-task readers the aggregator runs every interval
// (docs/locality-sources.md): prints the mean over many reads of a live child.
TEST(ProcfsLive, PerTaskReadCosts) {
  TestChild child([](TestChild::Channel& channel) {
    touch_anonymous(64 * kMiB, false);
    channel.report(0);
  });
  child.wait_ready();
  // CPU time of this thread (what the monitor pays) and wall time (what the interval waits).
  const auto thread_cpu_ns = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  };
  const auto time_it = [&](const char* what, int reads, const auto& read) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_ns();
    for (int i = 0; i < reads; ++i) ASSERT_TRUE(read()) << what;
    const double cpu_us = (thread_cpu_ns() - cpu_start) / 1e3 / reads;
    const double wall_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / reads;
    std::printf("MEASURED %-44s %8.1f us CPU, %8.1f us wall per call\n", what, cpu_us, wall_us);
  };
  const HostRoot live;
  const int pid = child.pid();
  time_it("read_task_stat (/proc/PID/stat)", 2000, [&] { return read_task_stat(live, pid).has_value(); });
  time_it("read_task_stat (/proc/PID/task/TID/stat)", 2000,
          [&] { return read_task_stat(live, pid, pid).has_value(); });
  time_it("list_tids (/proc/PID/task)", 2000, [&] { return list_tids(live, pid).has_value(); });
  time_it("read_proc_sched_numa (/proc/PID/sched)", 2000,
          [&] { return read_proc_sched_numa(live, pid).has_value(); });
  time_it("read_vmstat_numa (/proc/vmstat)", 2000, [&] { return read_vmstat_numa(live).has_value(); });
  time_it("read_numa_maps, 64 MiB touched", 50, [&] { return read_numa_maps(live, pid).has_value(); });
  time_it("read_self_usage", 2000, [&] { return read_self_usage().has_value(); });
  time_it("list_pids (/proc)", 200, [&] { return list_pids(live).has_value(); });
}

}  // namespace
}  // namespace aurora
