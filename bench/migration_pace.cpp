// Page-migration pace: pages per second that the coordinator's actuator (migrate_process_memory)
// reaches with 1, 2, 4... move_pages(2) calls in flight (MigrationPace::parallel_calls), on a
// running process whose threads are busy on the other node: aurora-numa-workload, started from
// the same bin directory. Every figure is a ratio to one call at a time measured in the same
// run, the settings interleaved round by round, since an emulated guest's speed drifts.
//
// Needs root and two NUMA nodes: bench/migration_pace.sh runs it in the 2-node guest. One line
// per measurement, then a JSON summary on the last line. Exit 77 (SKIPPED) on one node.
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/process_handle.hpp"
#include "aurora/host_root.hpp"
#include "aurora/topology.hpp"

extern char** environ;

namespace {

// The workload child: started with its stdout on a pipe, killed and reaped on every way out.
class Workload {
 public:
  static std::unique_ptr<Workload> start(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe(fds) != 0) return nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return nullptr;
    }
    return std::unique_ptr<Workload>(new Workload(pid, ::fdopen(fds[0], "r")));
  }
  ~Workload() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    if (out_) std::fclose(out_);
  }
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;
  int pid() const { return pid_; }
  // Reads its JSON lines until the "start" one: its memory is placed and its threads run.
  bool wait_started() {
    char line[4096];
    while (out_ && std::fgets(line, sizeof line, out_))
      if (std::string(line).find("\"start\"") != std::string::npos) return true;
    return false;
  }

 private:
  Workload(pid_t pid, FILE* out) : pid_(pid), out_(out) {}
  pid_t pid_;
  FILE* out_;
};

long vmstat_counter(const char* name) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen("/proc/vmstat", "r"), std::fclose);
  char key[128];
  long value = 0;
  while (f && std::fscanf(f.get(), "%127s %ld", key, &value) == 2)
    if (std::string(key) == name) return value;
  return -1;
}

// The whole process's pages from one node to another in one migrate_pages(2) call (what numad
// uses): one LRU drain for all of them, no rate limit, no cap, cannot be stopped midway.
struct SyscallMove {
  long pages_moved = 0;
  double seconds = 0;
};
SyscallMove migrate_pages_syscall(int pid, int from, int to) {
  unsigned long old_nodes = 1ul << from, new_nodes = 1ul << to;
  const long before = vmstat_counter("pgmigrate_success");
  const auto start = std::chrono::steady_clock::now();
  const long rc = ::syscall(SYS_migrate_pages, pid, 8 * sizeof(unsigned long), &old_nodes, &new_nodes);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rc < 0) std::fprintf(stderr, "migration_pace: migrate_pages: %s\n", std::strerror(errno));
  return {vmstat_counter("pgmigrate_success") - before, seconds};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Page-migration pace with 1, 2, 4... move_pages calls in flight (ratios to one call)"};
  int mib = 128, threads = 2, rounds = 3, load_threads = 0;
  std::vector<int> parallel_calls{1, 2, 4};
  app.add_option("--mib", mib, "Memory of the workload, MiB")->check(CLI::Range(8, 1 << 20));
  app.add_option("--threads", threads, "Its busy threads (on the node its memory is moved away from first)")
      ->check(CLI::Range(1, 256));
  app.add_option("--load-threads", load_threads,
                 "Busy threads of a second workload on the other node (every CPU busy: the crowded case)")
      ->check(CLI::Range(0, 256));
  app.add_option("--rounds", rounds, "Rounds; each measures every setting once")->check(CLI::Range(1, 100));
  app.add_option("--parallel-calls", parallel_calls, "Settings to compare; the first is the baseline")
      ->delimiter(',')
      ->check(CLI::Range(1, 64));
  bool syscall_too = false;
  app.add_flag("--migrate-pages-syscall", syscall_too,
               "Also measure one migrate_pages(2) call for the whole process (key \"migrate_pages\")");
  CLI11_PARSE(app, argc, argv);

  auto topology = aurora::read_topology(aurora::HostRoot("/"));
  if (!topology) {
    std::fprintf(stderr, "migration_pace: %s\n", topology.error().message.c_str());
    return 1;
  }
  if (topology->nodes.size() < 2) {
    std::printf("SKIPPED: one NUMA node; run bench/migration_pace.sh (a 2-node guest)\n");
    return 77;
  }
  const int first = topology->nodes[0].id, second = topology->nodes[1].id;
  const auto bin = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  auto workload = Workload::start({(bin / "aurora-numa-workload").string(), "--mem-mib", std::to_string(mib),
                                   "--mem-node", std::to_string(first), "--cpu-node", std::to_string(second),
                                   "--threads", std::to_string(threads), "--seconds", "3600", "--no-hugepage",
                                   "--access", "shared"});
  std::unique_ptr<Workload> load;
  if (load_threads > 0) {
    load = Workload::start({(bin / "aurora-numa-workload").string(), "--mem-mib", "16", "--mem-node",
                            std::to_string(first), "--cpu-node", std::to_string(first), "--threads",
                            std::to_string(load_threads), "--seconds", "3600", "--access", "shared"});
    if (!load || !load->wait_started()) {
      std::fprintf(stderr, "migration_pace: the load workload did not start\n");
      return 1;
    }
  }
  if (!workload || !workload->wait_started()) {
    std::fprintf(stderr, "migration_pace: aurora-numa-workload did not start (it is looked for in %s)\n",
                 bin.c_str());
    return 1;
  }
  auto handle = aurora::coord::ProcessHandle::open(workload->pid());
  if (!handle) {
    std::fprintf(stderr, "migration_pace: %s\n", handle.error().message.c_str());
    return 1;
  }
  std::map<int, std::vector<double>> pages_per_second;
  std::vector<double> syscall_pages_per_second;
  int to = second;
  for (int round = 1; round <= rounds; ++round) {
    for (int calls : parallel_calls) {
      const aurora::coord::MigrationPace pace{1e15, calls};  // no rate limit: the pace itself
      auto moved = aurora::coord::migrate_process_memory(*handle, {to}, pace);
      if (!moved) {
        std::fprintf(stderr, "migration_pace: %s\n", moved.error().message.c_str());
        return 1;
      }
      const double rate = moved->seconds > 0 ? static_cast<double>(moved->pages_moved) / moved->seconds : 0;
      pages_per_second[calls].push_back(rate);
      fmt::print("round {}: {} call(s) in flight: {} pages to node {} in {:.2f} s ({} calls): {:.0f} pages/s\n", round,
                 calls, moved->pages_moved, to, moved->seconds, moved->move_calls, rate);
      std::fflush(stdout);
      to = to == second ? first : second;
    }
    if (syscall_too) {
      const SyscallMove moved = migrate_pages_syscall(workload->pid(), to == second ? first : second, to);
      const double rate = moved.seconds > 0 ? static_cast<double>(moved.pages_moved) / moved.seconds : 0;
      syscall_pages_per_second.push_back(rate);
      fmt::print("round {}: migrate_pages(2): {} pages to node {} in {:.2f} s: {:.0f} pages/s\n", round,
                 moved.pages_moved, to, moved.seconds, rate);
      std::fflush(stdout);
      to = to == second ? first : second;
    }
  }
  const double baseline = median(pages_per_second[parallel_calls.front()]);
  nlohmann::json summary = {{"mib", mib}, {"threads", threads}, {"load_threads", load_threads}, {"rounds", rounds}};
  for (int calls : parallel_calls) {
    const double m = median(pages_per_second[calls]);
    summary["pages_per_second"][std::to_string(calls)] = std::round(m);
    summary["ratio_to_baseline"][std::to_string(calls)] = baseline > 0 ? std::round(m / baseline * 100) / 100 : 0;
  }
  if (syscall_too) {
    const double m = median(syscall_pages_per_second);
    summary["pages_per_second"]["migrate_pages"] = std::round(m);
    summary["ratio_to_baseline"]["migrate_pages"] = baseline > 0 ? std::round(m / baseline * 100) / 100 : 0;
  }
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}
