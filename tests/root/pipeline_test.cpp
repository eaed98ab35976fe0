// Real BPF on this kernel: the locality pipeline observing processes and threads the test
// starts. SKIPPED without root.
#include "aurora/pipeline.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aurora/cgroup.hpp"
#include "aurora/procfs.hpp"
#include "aurora/recording.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

using namespace std::chrono_literals;

#define REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: root tests need root to load BPF programs"

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// A forked child that waits for a byte on a pipe, then runs `body`, then _exits.
class Child {
 public:
  template <class Body>
  explicit Child(Body body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that was killed
      ::close(fds[1]);
      char go;
      if (::read(fds[0], &go, 1) != 1) ::_exit(3);
      body();
      ::_exit(0);
    }
    ::close(fds[0]);
    go_fd_ = fds[1];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (go_fd_ >= 0) ::close(go_fd_);
  }
  int pid() const { return pid_; }
  void go() {
    const char byte = 'g';
    ASSERT_EQ(::write(go_fd_, &byte, 1), 1);
  }
  void kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Waits for exit but leaves the zombie, so /proc/PID/stat keeps its final CPU times.
  void wait_exited_keep_zombie() {
    siginfo_t info{};
    ::waitid(P_PID, pid_, &info, WEXITED | WNOWAIT);
  }

 private:
  int pid_ = -1;
  int go_fd_ = -1;
};

const ProcessSample* find_process(const Snapshot& s, int pid) {
  for (const ProcessSample& p : s.processes)
    if (p.pid == pid) return &p;
  return nullptr;
}

std::unique_ptr<LivePipeline> start_or_fail(PipelineOptions options) {
  auto pipeline = LivePipeline::start(HostRoot(), std::move(options));
  if (!pipeline) ADD_FAILURE() << pipeline.error().message;
  return pipeline ? std::move(*pipeline) : nullptr;
}

TEST(PipelineRoot, PinnedCpuBoundChildMatchesProcStat) {
  REQUIRE_ROOT();
  Child child([] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(1, &set);
    sched_setaffinity(0, sizeof(set), &set);
    const auto wall_limit = std::chrono::steady_clock::now() + 4s;
    volatile std::uint64_t sink = 0;
    // About a second of CPU (or 4 s of wall time on a crowded CPU 1).
    while (thread_cpu_seconds() < 1.0 && std::chrono::steady_clock::now() < wall_limit)
      for (int i = 0; i < 100000; ++i) sink = sink + i;
  });
  PipelineOptions options;
  options.interval = 500ms;
  options.scope.pid = child.pid();
  auto pipeline = start_or_fail(options);
  ASSERT_TRUE(pipeline);
  child.go();

  NodeCounters cpu_by_node;
  std::vector<int> home_nodes;
  bool exited = false;
  for (int i = 0; i < 20 && !exited; ++i) {
    auto snapshot = pipeline->next();
    ASSERT_TRUE(snapshot && *snapshot);
    if (const ProcessSample* p = find_process(**snapshot, child.pid())) {
      for (const auto& [node, ns] : p->cpu_ns_by_node) cpu_by_node[node] += ns;
      home_nodes.push_back(p->home_node);
    }
    siginfo_t info{};
    info.si_pid = 0;
    exited = ::waitid(P_PID, child.pid(), &info, WEXITED | WNOWAIT | WNOHANG) == 0 &&
             info.si_pid == child.pid();
  }
  ASSERT_TRUE(exited);
  child.wait_exited_keep_zombie();
  // The exit event arrives with the interval after the exit.
  auto last = pipeline->next();
  ASSERT_TRUE(last && *last);
  if (const ProcessSample* p = find_process(**last, child.pid()))
    for (const auto& [node, ns] : p->cpu_ns_by_node) cpu_by_node[node] += ns;

  auto stat = read_task_stat(HostRoot(), child.pid());
  ASSERT_TRUE(stat) << stat.error().message;
  const double proc_ns = static_cast<double>(stat->cpu_ns());
  ASSERT_GT(proc_ns, 0.3e9) << "the child barely ran; the host is too loaded to measure";
  ASSERT_EQ(cpu_by_node.size(), 1u);
  const double bpf_ns = static_cast<double>(cpu_by_node[0]);
  EXPECT_NEAR(bpf_ns, proc_ns, 0.10 * proc_ns)
      << "BPF " << bpf_ns / 1e6 << " ms vs /proc utime+stime " << proc_ns / 1e6 << " ms";
  ASSERT_FALSE(home_nodes.empty());
  for (int home : home_nodes) EXPECT_EQ(home, 0);
}

// A cgroup directory made for the test in the v2 hierarchy, removed afterwards.
class TestCgroup {
 public:
  TestCgroup(const std::string& v2_mount, const std::string& relative)
      : path_(relative), fs_path_(v2_mount + relative) {
    std::filesystem::create_directories(fs_path_);
  }
  ~TestCgroup() { ::rmdir(fs_path_.c_str()); }
  void add(int pid) const { std::ofstream(fs_path_ + "/cgroup.procs") << pid << "\n"; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string fs_path_;
};

void spin_and_sleep_forever() {
  volatile std::uint64_t sink = 0;
  while (true) {
    const auto until = std::chrono::steady_clock::now() + 2ms;
    while (std::chrono::steady_clock::now() < until) sink = sink + 1;
    ::usleep(2000);
  }
}

TEST(PipelineRoot, CgroupScopeIncludesNestedExcludesSibling) {
  REQUIRE_ROOT();
  auto layout = detect_cgroup_layout(HostRoot());
  ASSERT_TRUE(layout) << layout.error().message;
  if (!layout->has_v2()) GTEST_SKIP() << "SKIPPED: no cgroup v2 mount on this host";
  const std::string name = "/aurora-test-" + std::to_string(::getpid());
  Child inside(spin_and_sleep_forever), nested(spin_and_sleep_forever),
      sibling(spin_and_sleep_forever);
  {
    TestCgroup parent(layout->v2_mount, name);
    TestCgroup inner(layout->v2_mount, name + "/inner");
    TestCgroup outside(layout->v2_mount, name + "-sibling");
    parent.add(inside.pid());
    inner.add(nested.pid());
    outside.add(sibling.pid());

    auto scope = resolve_cgroup(HostRoot(), *layout, name);
    ASSERT_TRUE(scope) << scope.error().message;
    PipelineOptions options;
    options.interval = 1s;
    options.scope.cgroup = *scope;
    auto pipeline = start_or_fail(options);
    ASSERT_TRUE(pipeline);
    inside.go();
    nested.go();
    sibling.go();
    auto snapshot = pipeline->next();
    ASSERT_TRUE(snapshot && *snapshot);
    const ProcessSample* in = find_process(**snapshot, inside.pid());
    const int sibling_pid = sibling.pid();
    const ProcessSample* deep = find_process(**snapshot, nested.pid());
    ASSERT_NE(in, nullptr);
    ASSERT_NE(deep, nullptr);
    EXPECT_EQ(find_process(**snapshot, sibling_pid), nullptr);
    EXPECT_EQ(in->cgroup, name);
    EXPECT_EQ(deep->cgroup, name + "/inner");
    for (const ProcessSample& p : (*snapshot)->processes)
      EXPECT_EQ(p.cgroup.rfind(name, 0), 0u) << p.pid << " " << p.comm << " in " << p.cgroup;
    pipeline.reset();
    // Children must leave before the cgroups can be removed.
    for (Child* c : {&inside, &nested, &sibling}) c->kill_and_reap();
  }
}

TEST(PipelineRoot, ShortLivedThreadsAreFreedFromTheThreadMap) {
  REQUIRE_ROOT();
  PipelineOptions options;
  options.interval = 300ms;
  options.scope.pid = ::getpid();
  auto pipeline = start_or_fail(options);
  ASSERT_TRUE(pipeline);
  ASSERT_TRUE(pipeline->next());  // settle: this process's own threads have entries now
  auto before = pipeline->tracked_threads();
  ASSERT_TRUE(before) << before.error().message;

  for (int batch = 0; batch < 10; ++batch) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 100; ++i) threads.emplace_back([] { ::usleep(100); });
    for (std::thread& t : threads) t.join();
  }
  std::this_thread::sleep_for(50ms);
  auto after = pipeline->tracked_threads();
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before);

  // They were tracked (and their last counters delivered by exit events), not ignored.
  std::size_t seen = 0;
  for (int i = 0; i < 3; ++i) {
    auto snapshot = pipeline->next();
    ASSERT_TRUE(snapshot && *snapshot);
    if (const ProcessSample* self = find_process(**snapshot, ::getpid()))
      seen += self->thread_samples.size();
  }
  EXPECT_GE(seen, 1000u);
}

TEST(PipelineRoot, TinyRingBufferReportsEventsLost) {
  REQUIRE_ROOT();
  PipelineOptions options;
  options.interval = 500ms;
  options.scope.pid = ::getpid();
  options.ring_buffer_bytes = 4096;     // a few exit events fit
  options.consume_period = 60s;         // nothing drains it during the load
  auto pipeline = start_or_fail(options);
  ASSERT_TRUE(pipeline);
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) threads.emplace_back([] { ::usleep(100); });
    for (std::thread& t : threads) t.join();
  }
  auto snapshot = pipeline->next();
  ASSERT_TRUE(snapshot && *snapshot);
  EXPECT_GT((*snapshot)->events_lost, 0u);
  EXPECT_LT((*snapshot)->events_lost, 200u);  // some exits did fit
}

TEST(PipelineRoot, RecordingReplaysToTheSameProcessFigures) {
  REQUIRE_ROOT();
  Child worker(spin_and_sleep_forever);
  PipelineOptions options;
  options.interval = 400ms;
  options.scope.pid = worker.pid();
  auto pipeline = start_or_fail(options);
  ASSERT_TRUE(pipeline);
  worker.go();
  FakeTree dir;
  const std::string file = (dir.path() / "rec.jsonl").string();
  RecordingHeader header;
  header.topology = pipeline->topology();
  header.probes = pipeline->probes();
  auto writer = RecordingWriter::create(file, header);
  ASSERT_TRUE(writer) << writer.error().message;
  std::vector<Snapshot> live;
  for (int i = 0; i < 3; ++i) {
    auto snapshot = pipeline->next();
    ASSERT_TRUE(snapshot && *snapshot);
    ASSERT_TRUE(writer->append(**snapshot));
    live.push_back(**snapshot);
  }
  ASSERT_NE(find_process(live.back(), worker.pid()), nullptr);

  auto replay = ReplaySource::open(file);
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_EQ(nlohmann::json((*replay)->topology()), nlohmann::json(pipeline->topology()));
  for (const Snapshot& recorded : live) {
    auto replayed = (*replay)->next();
    ASSERT_TRUE(replayed && *replayed);
    ASSERT_EQ((*replayed)->processes.size(), recorded.processes.size());
    for (std::size_t i = 0; i < recorded.processes.size(); ++i) {
      const ProcessSample& a = recorded.processes[i];
      const ProcessSample& b = (*replayed)->processes[i];
      EXPECT_EQ(a.pid, b.pid);
      EXPECT_EQ(a.cpu_ns_by_node, b.cpu_ns_by_node);
      EXPECT_EQ(a.memory_bytes_by_node, b.memory_bytes_by_node);
      EXPECT_EQ(a.home_node, b.home_node);
      EXPECT_EQ(a.locality, b.locality);
      EXPECT_EQ(a.threads, b.threads);
    }
  }
  auto end = (*replay)->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
}

TEST(PipelineRoot, SnapshotCommandPrintsJsonWithTheContractNames) {
  REQUIRE_ROOT();
  const std::string command = std::string(AURORA_MONITOR_BINARY) +
                              " snapshot --duration 0.3 --json --bpf-stats --pid " +
                              std::to_string(::getpid());
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) text.append(buffer, n);
  ASSERT_EQ(::pclose(pipe), 0) << text;
  const auto j = nlohmann::json::parse(text);
  for (const char* key : {"interval_ns", "events_lost", "probes", "nodes", "processes"})
    EXPECT_TRUE(j.contains(key)) << key;
  ASSERT_FALSE(j["nodes"].empty());
  EXPECT_TRUE(j["nodes"][0].contains("cpu_busy_ns"));
  bool switch_cost = false;
  for (const auto& program : j["self"]["bpf_programs"])
    if (program["name"].get<std::string>().find("sched_switch") != std::string::npos)
      switch_cost = program["run_count"].get<std::uint64_t>() > 0;
  EXPECT_TRUE(switch_cost) << j["self"].dump();
}

}  // namespace
}  // namespace aurora
