// read_policy_hints against this kernel's /proc, on processes the test starts: a POSIX shm
// segment two children map, anonymous shared memory a child shares with its fork, a child with
// only its own memory, per-thread pinning with
// pthread_setaffinity_np, and a real kernel thread.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "aurora/coordinator/policy_hints_reader.hpp"
#include "aurora/procfs.hpp"
#include "test_child.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kSegmentBytes = 32 * kMiB;

// A POSIX shm segment of kSegmentBytes, unlinked when the test ends.
class ShmSegment {
 public:
  ShmSegment() : name_(fmt::format("/aurora-hints-test-{}", ::getpid())) {
    const int fd = ::shm_open(name_.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) throw std::runtime_error(fmt::format("shm_open {}: {}", name_, std::strerror(errno)));
    const bool sized = ::ftruncate(fd, kSegmentBytes) == 0;
    struct stat st {};
    ::fstat(fd, &st);
    ::close(fd);
    if (!sized) throw std::runtime_error("ftruncate of the shm segment failed");
    // maps prints the device as "%02x:%02x" (fs/proc/task_mmu.c show_vma_header_prefix).
    expected_key_ = fmt::format("shm:{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  }
  ~ShmSegment() { ::shm_unlink(name_.c_str()); }
  const std::string& name() const { return name_; }
  const std::string& expected_key() const { return expected_key_; }

 private:
  std::string name_;
  std::string expected_key_;
};

// Child body: maps the segment shared and writes every page, so all of it is resident.
void map_and_touch(const std::string& name, TestChild::Channel& channel) {
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) ::_exit(101);
  void* memory = ::mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (memory == MAP_FAILED) ::_exit(102);
  std::memset(memory, 0x5a, kSegmentBytes);
  channel.report(1);
}

// Child body: the same amount of private memory, shared with nobody.
void own_memory(TestChild::Channel& channel) {
  void* memory = ::mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) ::_exit(103);
  std::memset(memory, 0x5a, kSegmentBytes);
  channel.report(1);
}

// Child body: two worker threads, each pinning itself to the given CPU, then blocking; the
// main thread keeps the inherited mask.
void pinned_workers(int first_cpu, int second_cpu, TestChild::Channel& channel) {
  std::atomic<int> pinned{0};
  std::atomic<bool> failed{false};
  const auto worker = [&](int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::pthread_setaffinity_np(::pthread_self(), sizeof set, &set) != 0) failed = true;
    ++pinned;
    for (;;) ::pause();  // until the child exits
  };
  std::thread(worker, first_cpu).detach();
  std::thread(worker, second_cpu).detach();
  while (pinned.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (failed) ::_exit(104);
  channel.report(1);
}

// Child body: MAP_SHARED | MAP_ANONYMOUS memory, written, then a forked grandchild that writes
// it too (a pre-forking server and its worker); reports the grandchild's pid.
void share_anonymous_memory_with_a_fork(TestChild::Channel& channel) {
  void* memory = ::mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) ::_exit(105);
  std::memset(memory, 0x5a, kSegmentBytes);
  int ready[2];
  if (::pipe(ready) != 0) ::_exit(106);
  const pid_t worker = ::fork();
  if (worker < 0) ::_exit(107);
  if (worker == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // goes when the test kills its parent
    std::memset(memory, 0xa5, kSegmentBytes);
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(108);
    for (;;) ::pause();
  }
  char byte;
  if (::read(ready[0], &byte, 1) != 1) ::_exit(109);
  channel.report(static_cast<std::uint64_t>(worker));
}

// Child body: maps `path` (kSegmentBytes) MAP_SHARED and writes every page, as a process of a
// database that mmaps its data file does.
void map_file_and_touch(const std::string& path, TestChild::Channel& channel) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) ::_exit(110);
  void* memory = ::mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (memory == MAP_FAILED) ::_exit(111);
  std::memset(memory, 0x5a, kSegmentBytes);
  channel.report(1);
}

Snapshot snapshot_of(const std::vector<int>& pids) {
  Snapshot snapshot;
  for (int pid : pids) snapshot.processes.emplace_back().pid = pid;
  return snapshot;
}

TEST(PolicyHintsLive, TwoProcessesMappingOneShmSegmentShareAKeyAThirdHasNone) {
  ShmSegment segment;
  TestChild first([&](TestChild::Channel& ch) { map_and_touch(segment.name(), ch); });
  TestChild second([&](TestChild::Channel& ch) { map_and_touch(segment.name(), ch); });
  TestChild alone([](TestChild::Channel& ch) { own_memory(ch); });
  first.wait_ready();
  second.wait_ready();
  alone.wait_ready();

  PolicyHintsOptions options;
  options.numa_maps_min_rss_bytes = 16 * kMiB;  // the children hold 32 MiB each
  auto hints = read_policy_hints(HostRoot("/"), snapshot_of({first.pid(), second.pid(), alone.pid()}), options);
  ASSERT_TRUE(hints) << hints.error().message;
  ASSERT_TRUE(hints->share_group.count(first.pid())) << "the first child's segment was not keyed";
  ASSERT_TRUE(hints->share_group.count(second.pid())) << "the second child's segment was not keyed";
  EXPECT_EQ(hints->share_group.at(first.pid()), segment.expected_key());
  EXPECT_EQ(hints->share_group.at(second.pid()), segment.expected_key());
  EXPECT_EQ(hints->share_group.count(alone.pid()), 0u);
  // The segment's resident bytes as each maps it (on the only node), for counting it once.
  ASSERT_TRUE(hints->shared_objects.count(first.pid()));
  const NodeCounters& seen = hints->shared_objects.at(first.pid()).at(segment.expected_key());
  ASSERT_EQ(seen.count(0), 1u);
  EXPECT_GE(seen.at(0), 32 * kMiB);
  EXPECT_TRUE(hints->threads_fixed.empty());
  EXPECT_TRUE(hints->kernel_threads.empty());

  // Below the numa_maps threshold nobody's mappings are read: no groups.
  options.numa_maps_min_rss_bytes = 1024 * kMiB;
  auto small = read_policy_hints(HostRoot("/"), snapshot_of({first.pid(), second.pid(), alone.pid()}), options);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_TRUE(small->share_group.empty());
}

TEST(PolicyHintsLive, AnonymousSharedMemoryInheritedAcrossForkGroupsParentAndWorker) {
  TestChild parent([](TestChild::Channel& ch) { share_anonymous_memory_with_a_fork(ch); });
  TestChild alone([](TestChild::Channel& ch) { own_memory(ch); });
  const int worker = static_cast<int>(parent.wait_ready());
  alone.wait_ready();

  PolicyHintsOptions options;
  options.numa_maps_min_rss_bytes = 16 * kMiB;
  auto hints = read_policy_hints(HostRoot("/"), snapshot_of({parent.pid(), worker, alone.pid()}), options);
  ASSERT_TRUE(hints) << hints.error().message;
  ASSERT_TRUE(hints->share_group.count(parent.pid())) << "the parent's shared anonymous memory was not keyed";
  ASSERT_TRUE(hints->share_group.count(worker)) << "the forked worker's shared anonymous memory was not keyed";
  EXPECT_EQ(hints->share_group.at(parent.pid()), hints->share_group.at(worker));
  EXPECT_TRUE(hints->share_group.at(worker).starts_with("shm:")) << hints->share_group.at(worker);
  EXPECT_EQ(hints->share_group.count(alone.pid()), 0u);
}

TEST(PolicyHintsLive, TwoProcessesMappingOneFileSharedShareItsKey) {
  // On a disk-backed directory (not /dev/shm): the file's page cache is what they share.
  const std::string path = fmt::format("/var/tmp/aurora-hints-test-{}.db", ::getpid());
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  struct stat st {};
  const bool sized = ::ftruncate(fd, kSegmentBytes) == 0 && ::fstat(fd, &st) == 0;
  ::close(fd);
  struct Unlink {
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } unlink_at_end{path};
  ASSERT_TRUE(sized);
  const std::string expected = fmt::format("file:{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  TestChild first([&](TestChild::Channel& ch) { map_file_and_touch(path, ch); });
  TestChild second([&](TestChild::Channel& ch) { map_file_and_touch(path, ch); });
  first.wait_ready();
  second.wait_ready();

  PolicyHintsOptions options;
  options.numa_maps_min_rss_bytes = 16 * kMiB;
  auto hints = read_policy_hints(HostRoot("/"), snapshot_of({first.pid(), second.pid()}), options);
  ASSERT_TRUE(hints) << hints.error().message;
  ASSERT_TRUE(hints->share_group.count(first.pid())) << "the shared file mapping was not keyed";
  EXPECT_EQ(hints->share_group.at(first.pid()), expected);
  EXPECT_EQ(hints->share_group.at(second.pid()), expected);
  // Each has all 32 MiB of it resident.
  std::uint64_t resident = 0;
  for (const auto& [node, bytes] : hints->shared_objects.at(second.pid()).at(expected)) resident += bytes;
  EXPECT_EQ(resident, kSegmentBytes);
}

TEST(PolicyHintsLive, ThreadsPinnedToDifferentCpusAreFixedOneSharedMaskIsNot) {
  cpu_set_t own;
  ASSERT_EQ(::sched_getaffinity(0, sizeof own, &own), 0);
  if (!CPU_ISSET(0, &own) || !CPU_ISSET(1, &own)) GTEST_SKIP() << "SKIPPED: needs CPUs 0 and 1 in this test's affinity";
  TestChild per_thread([](TestChild::Channel& ch) { pinned_workers(0, 1, ch); });
  TestChild same_mask([](TestChild::Channel& ch) { pinned_workers(1, 1, ch); });
  per_thread.wait_ready();
  same_mask.wait_ready();

  // A process narrowed as a whole (taskset): its allowed CPUs are that one CPU.
  TestChild narrowed([](TestChild::Channel& ch) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(1, &one);
    if (::sched_setaffinity(0, sizeof one, &one) != 0) ::_exit(107);
    ch.report(1);
  });
  narrowed.wait_ready();

  auto hints = read_policy_hints(HostRoot("/"), snapshot_of({per_thread.pid(), same_mask.pid(), narrowed.pid()}));
  ASSERT_TRUE(hints) << hints.error().message;
  EXPECT_EQ(hints->threads_fixed, (std::set<int>{per_thread.pid()}));
  // Allowed CPUs are the union of the threads' masks: the main thread kept this test's CPUs.
  std::vector<int> own_cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &own)) own_cpus.push_back(cpu);
  EXPECT_EQ(hints->allowed_cpus.at(same_mask.pid()), own_cpus);
  EXPECT_EQ(hints->allowed_cpus.at(narrowed.pid()), std::vector<int>{1});
}

TEST(PolicyHintsLive, KthreaddIsAKernelThreadAndAnExitedChildIsSkipped) {
  TestChild exited([](TestChild::Channel& ch) { ch.report(1); });
  exited.wait_ready();
  const int gone = exited.pid();
  exited.finish();  // reaped: its pid is in the snapshot, no longer in /proc
  auto hints = read_policy_hints(HostRoot("/"), snapshot_of({2, gone, ::getpid()}));
  ASSERT_TRUE(hints) << hints.error().message;
  EXPECT_EQ(hints->kernel_threads, (std::set<int>{2}));  // pid 2 is kthreadd
}

// Every process on this machine, while they come and go: no error, and what it costs with the
// policy's default threshold and with numa_maps never read (the page-table walks' share).
// A child that exited and was not reaped yet (a zombie) has no fds, no mounts and no network
// namespace left; reading it as an IO-bound process skips it. Found by the test below, which
// failed when another test's child was a zombie at that moment (mountinfo: EINVAL).
TEST(PolicyHintsLive, AZombieTakenAsIoBoundIsSkipped) {
  const pid_t zombie = ::fork();
  ASSERT_GE(zombie, 0);
  if (zombie == 0) ::_exit(0);
  struct Reap {
    pid_t pid;
    ~Reap() { ::waitpid(pid, nullptr, 0); }
  } reap{zombie};
  for (int i = 0; i < 200; ++i) {
    auto stat = read_task_stat(HostRoot("/"), zombie);
    if (stat && stat->state == 'Z') break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Snapshot snapshot = snapshot_of({zombie});
  snapshot.interval_ns = 1'000'000'000;
  snapshot.processes[0].cpu_ns_by_node[0] = 100'000'000;
  snapshot.processes[0].thread_samples.emplace_back().voluntary_switches = 1000;
  auto hints = read_policy_hints(HostRoot("/"), snapshot);
  ASSERT_TRUE(hints) << hints.error().message;
  EXPECT_EQ(hints->device_node.count(zombie), 0u);
  // Its mountinfo itself reads as "gone", not as a failure.
  auto mounts = read_proc_mountinfo(HostRoot("/"), zombie);
  ASSERT_FALSE(mounts);
  EXPECT_EQ(mounts.error().kind, ErrorKind::kNotFound) << mounts.error().message;
}

TEST(PolicyHintsLive, ReadsEveryLiveProcess) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: reading other users' numa_maps needs root";
  auto pids = list_pids(HostRoot("/"));
  ASSERT_TRUE(pids) << pids.error().message;
  // Every process as an IO-bound one (0.1 CPU, 1000 sleeps): the worst case of the device
  // lookup, which reads every process's fds, mounts and sockets.
  Snapshot all_io = snapshot_of(*pids);
  all_io.interval_ns = 1'000'000'000;
  for (auto& p : all_io.processes) {
    p.cpu_ns_by_node[0] = 100'000'000;
    p.thread_samples.emplace_back().voluntary_switches = 1000;
  }
  const auto timed = [&](const PolicyHintsOptions& options, const char* label, bool io = false) {
    const auto started = std::chrono::steady_clock::now();
    auto hints = read_policy_hints(HostRoot("/"), io ? all_io : snapshot_of(*pids), options);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    EXPECT_TRUE(hints) << hints.error().message;
    if (!hints) return;
    EXPECT_TRUE(hints->kernel_threads.count(2));
    std::printf("read_policy_hints (%s): %zu processes in %.1f ms (%zu kernel threads, %zu grouped, %zu fixed, "
                "%zu with a device node)\n",
                label, pids->size(), ms, hints->kernel_threads.size(), hints->share_group.size(),
                hints->threads_fixed.size(), hints->device_node.size());
    RecordProperty(fmt::format("milliseconds_{}", io ? "all_io" : label[0] == 'd' ? "default" : "no_numa_maps"),
                   fmt::format("{:.1f}", ms));
  };
  timed(PolicyHintsOptions{}, "default 64 MiB threshold");
  PolicyHintsOptions no_numa_maps;
  no_numa_maps.numa_maps_min_rss_bytes = UINT64_MAX;
  timed(no_numa_maps, "numa_maps never read");
  timed(PolicyHintsOptions{}, "every process IO-bound", true);
  RecordProperty("processes", static_cast<int>(pids->size()));
}

}  // namespace
}  // namespace aurora::coord
