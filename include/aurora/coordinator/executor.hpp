// Carries out the policy's decisions on the live system, journaling each action (fsync'd, with
// its undo state) before taking it; and undoes journaled actions (`revert`).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/journal.hpp"
#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/host_root.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord {

struct ExecutorOptions {
  MigrationPace migration;  // rate limit and parallel calls of page migrations
  // Where cgroup directories live for container targets (v2 root; the v1 cpuset hierarchy is
  // tried at <root>/cpuset on hybrid hosts).
  std::string cgroup_root = "/sys/fs/cgroup";
  // Called after an action's intent is journaled and before it is taken (tests use it to make
  // the target exit at exactly that moment).
  std::function<void(int pid)> after_intent;
  // Asked between page-migration calls: true ends a migration early (SIGINT/SIGTERM).
  std::function<bool()> should_stop;
};

struct ActionOutcome {
  bool ok = false;
  std::string line;  // one line for the log / terminal: what was done or why not
  int pid = 0;       // the process acted on (0 for a cgroup)
  // A page migration's figures (the rate it reached feeds the cost model).
  std::uint64_t bytes_moved = 0;
  double seconds = 0;
};

class MigrationWorker;
struct MigrationRequest;

class Executor {
 public:
  Executor(Journal& journal, const Topology& topology, ExecutorOptions options);
  // Stops a running page migration at its next call and journals what it moved.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Applies one decision, one process at a time. A process that exits, a cpuset that forbids
  // the CPUs or a partial migration gives a line and a consistent journal; never throws.
  // Thread moves and a container's cpuset.cpus are done on return; page migrations, and a
  // container's cpuset.mems narrowing (the kernel migrates its pages inside that write), are
  // started on a worker thread (the line says so) and end later: finished_migrations()
  // reports them.
  std::vector<ActionOutcome> apply(const Decision& decision);
  // Page migrations that ended since the last call (journaled already).
  std::vector<ActionOutcome> finished_migrations();
  // Processes whose memory the worker is moving or will move next.
  std::set<int> migrating_pids() const;
  // Ends the worker: queued migrations are dropped, the running one stops at its next call.
  // Returns the outcomes not yet reported.
  std::vector<ActionOutcome> stop_migrations();

  // Thread affinity of one process to `cpus` (the building block apply() uses; tests call it).
  ActionOutcome set_process_affinity(int pid, const std::vector<int>& cpus, const std::string& summary);
  // Narrows a cgroup's cpuset (never widens it).
  ActionOutcome set_cgroup_cpuset(const std::string& dir, const std::vector<int>& cpus, const std::vector<int>& mems,
                                  const std::string& summary);
  // Moves a process's memory now, on the calling thread; `stop_requested` (with
  // options.should_stop) ends it early at the next move_pages call. `max_bytes` > 0 moves at
  // most that much (Decision::partial_memory).
  ActionOutcome migrate_memory(int pid, const std::vector<int>& nodes, const std::string& summary,
                               const std::function<bool()>& stop_requested = {}, std::uint64_t max_bytes = 0);

 private:
  nlohmann::json intent(const std::string& kind, int pid, std::uint64_t start_time, const std::string& summary);
  // The worker thread journals too: every record goes through here.
  Result<void> journal_append(const nlohmann::json& record);
  // Queues a page migration (or a container's cpuset.mems write) on the worker.
  ActionOutcome start_in_background(const MigrationRequest& request);

  Journal& journal_;
  std::mutex journal_mutex_;
  const Topology& topology_;
  ExecutorOptions options_;
  std::unique_ptr<MigrationWorker> worker_;  // started by the first page migration apply() makes
};

// Undoes one journaled action (an "intent" record): restores the thread masks or the cpuset;
// moves memory back only when `move_memory` (else leaves it pending and says so). Appends a
// "reverted" record when done. The line says what happened.
ActionOutcome revert_action(const nlohmann::json& intent, Journal& journal, bool move_memory,
                            const MigrationPace& migration);

}  // namespace aurora::coord
