// What the policy remembers between cycles: when each process was last moved and where, so
// that a hold time applies and a process moved back and forth is frozen instead of moved again.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aurora/snapshot.hpp"

namespace aurora::coord {

struct MoveRecord {
  double time_seconds = 0;
  std::vector<int> from_nodes;  // where its threads/memory mostly were
  std::vector<int> to_nodes;
  double settle_seconds = 0;  // expected duration of its page migration: held for this too
};

struct ProcessHistory {
  // Set by PolicyState::watch: when the process was first seen, and when it last changed
  // enough to be watched again (its thread count by half or more, its memory by a tenth).
  std::optional<double> first_seen_seconds;
  double changed_seconds = 0;
  double last_seen_seconds = 0;  // the last snapshot that showed it
  int threads = 0;
  double memory_bytes = 0;
  int home_node = -1;  // the node it ran on most in the last snapshot
  double home_share = 0;  // ... and the share of its CPU time there
  // When its thread count last changed by half or more: a new phase, so a hold from a move
  // decided before it no longer applies.
  double new_phase_seconds = -1;
  std::vector<MoveRecord> moves;
  bool frozen = false;
  std::string frozen_reason;
};

// Processes still watched after they started or changed (PolicyState::watch).
struct Watched {
  // Nothing of theirs moves yet (PolicyHints::settling).
  std::set<int> settling;
  // Seen unchanged over a whole interval since, 90% of their CPU time on one node: a move of
  // their threads may be decided, their memory waits (PolicyHints::memory_settling).
  std::set<int> memory_settling;
};

class PolicyState {
 public:
  // Seconds since the last move of `pid` finished settling (its expected migration time
  // after it was decided), or a very large number when never moved.
  double since_last_move(int pid, double now_seconds) const;
  bool frozen(int pid) const;
  const ProcessHistory* history(int pid) const;
  // How many times the moves within `window`, plus a move to `to_nodes` now, return the
  // process to a destination it was moved away from (0 -> 1 -> 0 is one).
  int reversals_if_moved(int pid, const std::vector<int>& to_nodes, double now_seconds,
                         double window_seconds) const;
  void record_move(int pid, MoveRecord move);
  void freeze(int pid, std::string reason);
  // The page migration of the last move of `pid` ended at `now_seconds`: its hold counts from
  // then, however long the migration took (the estimate said settle_seconds).
  void migration_finished(int pid, double now_seconds);
  // Drops a move that was planned but not carried out (the actuator failed).
  void forget_last_move(int pid);
  // Drops processes not in `alive` (exited; their pids may be recycled).
  void prune(const std::vector<int>& alive);
  // Notes when each process of `snapshot` was first seen and when it last changed markedly
  // (thread count by half or more, e.g. 1 -> 3 as it starts its workers; memory by more than a
  // tenth, still allocating), and sorts out those for which that was less than
  // `min_observed_seconds` ago (Watched). A thread-count change also ends the hold of an
  // earlier move: the process is in a new phase, as does its home node (where it runs most)
  // changing to a node the last move did not send it to (the application moved its threads
  // itself; it is then watched only while a snapshot catches it mid-move, under 90% of its CPU
  // time on the new node). Small thread-pool churn is not a change, so a server whose pool
  // breathes is still decided on.
  Watched watch(const Snapshot& snapshot, double now_seconds, double min_observed_seconds);

 private:
  std::map<int, ProcessHistory> by_pid_;
};

}  // namespace aurora::coord
