// Runs the coordinator's page migrations one at a time on a thread of their own, so the policy
// keeps its rhythm while a large process moves: a single move_pages(2) call took 21 s in the
// 2-node guest on a loaded host, and 100 GiB at the default budget take 100 s. A container's
// cpuset.mems write, in which the kernel migrates its pages, runs here for the same reason.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "aurora/coordinator/executor.hpp"

namespace aurora::coord {

struct MigrationRequest {
  int pid = 0;
  std::vector<int> nodes;
  std::string summary;
  std::uint64_t max_bytes = 0;  // 0: all of it
  // Non-empty: a container's memory, moved by narrowing its cgroup's cpuset to `cpus` and
  // `nodes`; the kernel migrates the cgroup's pages inside that write (128 MiB took 9.5 s in
  // the 2-node guest), which cannot be stopped. Empty: move_pages(2) of `pid`.
  std::string cgroup_dir;
  std::vector<int> cpus;
};

class MigrationWorker {
 public:
  using Request = MigrationRequest;
  // Carries out one request; `stop_requested` turns true when stop() is called.
  using Migrate = std::function<ActionOutcome(const Request&, const std::function<bool()>& stop_requested)>;

  explicit MigrationWorker(Migrate migrate);
  ~MigrationWorker();
  MigrationWorker(const MigrationWorker&) = delete;
  MigrationWorker& operator=(const MigrationWorker&) = delete;

  // Queues a request; false when that pid already has one queued or running, or after stop().
  bool submit(Request request);
  // Pids with a migration queued or running.
  std::set<int> busy() const;
  // Outcomes of the migrations that ended since the last call.
  std::vector<ActionOutcome> take_finished();
  // Drops what is queued (not started, so not journaled either), asks the running migration
  // to stop at its next call, waits for it, and returns every outcome not yet taken.
  std::vector<ActionOutcome> stop();

 private:
  void run(const std::stop_token& token);

  Migrate migrate_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Request> queued_;
  std::optional<int> running_;
  bool stopped_ = false;
  std::vector<ActionOutcome> finished_;
  std::jthread thread_;  // last: it starts once the members it uses exist
};

}  // namespace aurora::coord
