#include "aurora/coordinator/policy_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace aurora::coord {

double PolicyState::since_last_move(int pid, double now_seconds) const {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end() || it->second.moves.empty()) return std::numeric_limits<double>::max();
  const MoveRecord& last = it->second.moves.back();
  if (it->second.new_phase_seconds > last.time_seconds) return std::numeric_limits<double>::max();
  return now_seconds - (last.time_seconds + last.settle_seconds);
}

bool PolicyState::frozen(int pid) const {
  auto it = by_pid_.find(pid);
  return it != by_pid_.end() && it->second.frozen;
}

const ProcessHistory* PolicyState::history(int pid) const {
  auto it = by_pid_.find(pid);
  return it == by_pid_.end() ? nullptr : &it->second;
}

int PolicyState::reversals_if_moved(int pid, const std::vector<int>& to_nodes, double now_seconds,
                                    double window_seconds) const {
  // The destinations of the moves in the window, then the proposed one. A reversal is a move
  // back to a destination used before in the window that is not the latest one: 0 -> 1 -> 0
  // is one reversal, 0 -> 1 -> 0 -> 1 two.
  std::vector<std::vector<int>> targets;
  if (auto it = by_pid_.find(pid); it != by_pid_.end())
    for (const auto& m : it->second.moves)
      if (now_seconds - m.time_seconds <= window_seconds) targets.push_back(m.to_nodes);
  targets.push_back(to_nodes);
  int reversals = 0;
  for (std::size_t i = 2; i < targets.size(); ++i) {
    if (targets[i] == targets[i - 1]) continue;
    for (std::size_t j = 0; j + 1 < i; ++j)
      if (targets[j] == targets[i]) {
        ++reversals;
        break;
      }
  }
  return reversals;
}

void PolicyState::record_move(int pid, MoveRecord move) { by_pid_[pid].moves.push_back(std::move(move)); }

void PolicyState::freeze(int pid, std::string reason) {
  auto& h = by_pid_[pid];
  h.frozen = true;
  h.frozen_reason = std::move(reason);
}

void PolicyState::forget_last_move(int pid) {
  auto it = by_pid_.find(pid);
  if (it != by_pid_.end() && !it->second.moves.empty()) it->second.moves.pop_back();
}

void PolicyState::migration_finished(int pid, double now_seconds) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end() || it->second.moves.empty()) return;
  MoveRecord& last = it->second.moves.back();
  last.settle_seconds = std::max(last.settle_seconds, now_seconds - last.time_seconds);
}

namespace {

// The share of the process's CPU time this interval on its home node.
double home_share(const ProcessSample& p) {
  double total = 0, home = 0;
  for (const auto& [node, ns] : p.cpu_ns_by_node) {
    total += static_cast<double>(ns);
    if (node == p.home_node) home += static_cast<double>(ns);
  }
  return total > 0 ? home / total : 0;
}

}  // namespace

Watched PolicyState::watch(const Snapshot& snapshot, double now_seconds, double min_observed_seconds) {
  Watched watched;
  for (const ProcessSample& p : snapshot.processes) {
    bool moved_itself = false;
    ProcessHistory& h = by_pid_[p.pid];
    double memory = 0;
    for (const auto& [node, bytes] : p.memory_bytes_by_node) memory += static_cast<double>(bytes);
    const int threads = std::max(p.threads, 1);
    const bool seen_before = h.first_seen_seconds.has_value();
    if (!seen_before) {
      h.first_seen_seconds = h.changed_seconds = now_seconds;
    } else {
      // Only a process that ran on one node (90%) can have moved itself: the home of one whose
      // threads the scheduler spreads over nodes flips with load balancing, which is no new
      // phase. Found in the 2-node guest: two unpinned processes' homes flipped for 4 s and
      // kept them "new" that long, where min_observed_seconds is 1.
      moved_itself =
          p.home_node >= 0 && h.home_node >= 0 && p.home_node != h.home_node && h.home_share >= 0.9 &&
          (h.moves.empty() || std::find(h.moves.back().to_nodes.begin(), h.moves.back().to_nodes.end(),
                                        p.home_node) == h.moves.back().to_nodes.end());
      const bool threads_changed = std::abs(threads - h.threads) * 2 >= std::max(h.threads, 1);
      const bool memory_moved = std::abs(memory - h.memory_bytes) > 0.1 * std::max(h.memory_bytes, 1.0);
      if (threads_changed || moved_itself) h.new_phase_seconds = now_seconds;
      if (threads_changed || memory_moved) h.changed_seconds = now_seconds;
    }
    h.threads = threads;
    h.memory_bytes = memory;
    if (p.home_node >= 0) {
      h.home_node = p.home_node;
      h.home_share = home_share(p);
    }
    // Threads the application moved itself are not watched for min_observed_seconds: a snapshot
    // that shows them all (90%) on the new node is decided on at once, one caught mid-move is
    // watched until the next. Waiting the full second made aurora react in ~2 s to a phase
    // change in the 2-node guest, AutoNUMA in ~1 s.
    const bool mid_move = moved_itself && home_share(p) < 0.9;
    // Unchanged over the whole interval this snapshot covers, and on one node: its CPU figures
    // show how it runs now. A move of its threads is cheap and the next decision can undo it,
    // so it is decided on at once; its memory waits the full min_observed_seconds. Found in the
    // 2-node guest: threads started 100% remote were moved 1-1.5 s into their run, and that
    // second at 97% remote cost more than AutoNUMA's whole migration (1.22 against 0.74 remote-s).
    const bool steady = seen_before && h.changed_seconds <= h.last_seen_seconds && home_share(p) >= 0.9;
    h.last_seen_seconds = now_seconds;
    if (mid_move) {
      watched.settling.insert(p.pid);
    } else if (now_seconds - h.changed_seconds < min_observed_seconds) {
      (steady ? watched.memory_settling : watched.settling).insert(p.pid);
    }
  }
  return watched;
}

void PolicyState::prune(const std::vector<int>& alive) {
  const std::set<int> keep(alive.begin(), alive.end());
  for (auto it = by_pid_.begin(); it != by_pid_.end();)
    it = keep.count(it->first) ? std::next(it) : by_pid_.erase(it);
}

}  // namespace aurora::coord
