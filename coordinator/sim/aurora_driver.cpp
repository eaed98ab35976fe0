// aurora in the simulator: the same decide() the live coordinator runs, fed the model's
// snapshot every interval; its decisions applied as the actuators would (affinity at once,
// memory at the migration budget).
#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

void AuroraDriver::tick(Model& m, double now, double dt) {
  // Migrate queued chunks within the budget (the page-migration actuator's MB/s limit), one
  // chunk per pending decision in turn so that a huge move does not starve the small ones.
  budget_ += config_.cost.migration_budget_bytes_per_second * dt / static_cast<double>(m.chunk_bytes());
  while (budget_ >= 1 && !queues_.empty()) {
    for (auto it = queues_.begin(); it != queues_.end() && budget_ >= 1;) {
      if (it->empty()) {
        it = queues_.erase(it);
        continue;
      }
      PendingMove move = it->front();
      it->pop_front();
      MemoryObject& object = m.objects[move.object];
      if (std::find(move.targets.begin(), move.targets.end(), object.chunk_node[move.chunk]) == move.targets.end()) {
        int to = -1;
        for (int t : move.targets)
          if (m.free_chunks(t) > 0 && (to < 0 || m.free_chunks(t) > m.free_chunks(to))) to = t;
        if (to >= 0 && m.move_chunk(object, move.chunk, to)) budget_ -= 1;
      }
      ++it;
    }
  }
  if (queues_.empty()) budget_ = std::min(budget_, 1.0);  // an idle budget does not bank

  if (now < next_) return;
  const double interval = now - last_;
  last_ = now;
  next_ = now + interval_;
  if (interval <= 0) {
    (void)take_snapshot(m, 1.0);  // start the first interval clean
    return;
  }
  const Snapshot snapshot = take_snapshot(m, interval);

  PolicyHints hints;
  for (std::size_t o = 0; o < m.objects.size(); ++o) {
    if (m.objects[o].users.size() < 2) continue;
    const std::string key = fmt::format("shm:{}", o);
    NodeCounters resident;  // as every user maps it: each user's memory figures include it
    for (int node : m.objects[o].chunk_node)
      if (node >= 0) resident[m.nodes.ids[node]] += m.chunk_bytes();
    for (int u : m.objects[o].users) {
      hints.share_group.emplace(m.processes[u].pid, key);
      hints.shared_objects[m.processes[u].pid][key] = resident;
    }
  }
  std::map<int, int> index_of_pid;
  for (std::size_t i = 0; i < m.processes.size(); ++i) {
    const SimProcess& p = m.processes[i];
    index_of_pid[p.pid] = static_cast<int>(i);
    if (p.threads_fixed) hints.threads_fixed.insert(p.pid);
    if (p.device_node >= 0) hints.device_node[p.pid] = m.nodes.ids[p.device_node];
  }

  const PolicyOutcome outcome = decide(*m.topology, snapshot, hints, config_, state_, now);
  for (const std::string& frozen : outcome.frozen) m.notes.push_back(fmt::format("t={:.0f}s aurora: {}", now, frozen));
  for (const Decision& d : outcome.decisions) {
    std::vector<int> targets;
    for (int id : d.target_nodes) targets.push_back(m.nodes.index(id));
    const bool threads = d.sets_thread_affinity();
    const bool memory = d.moves_memory();
    std::vector<int> objects;
    for (int pid : d.pids) {
      SimProcess& p = m.processes[index_of_pid.at(pid)];
      if (threads)
        for (auto& t : p.threads) t.allowed = targets;
      for (int o : p.objects)
        if (std::find(objects.begin(), objects.end(), o) == objects.end()) objects.push_back(o);
    }
    if (memory) {
      // A newer decision for the same memory replaces queued moves.
      for (auto& q : queues_)
        std::erase_if(q, [&](const PendingMove& p) {
          return std::find(objects.begin(), objects.end(), p.object) != objects.end();
        });
      std::deque<PendingMove> moves;
      // As much as fits (partial_memory): the actuator stops at bytes_to_migrate; so does this.
      const std::size_t limit = d.partial_memory ? (d.bytes_to_migrate + m.chunk_bytes() - 1) / m.chunk_bytes()
                                                 : std::numeric_limits<std::size_t>::max();
      for (int o : objects)
        for (std::size_t ch = 0; ch < m.objects[o].chunk_node.size() && moves.size() < limit; ++ch)
          if (std::find(targets.begin(), targets.end(), m.objects[o].chunk_node[ch]) == targets.end())
            moves.push_back({o, ch, targets});
      if (!moves.empty()) queues_.push_back(std::move(moves));
    }
    ++m.actions;
    m.notes.push_back(fmt::format("t={:.0f}s aurora: {}", now, d.summary));
    if (getenv("AURORA_SIM_EVIDENCE")) for (const auto& e : d.evidence) m.notes.push_back("      " + e);
  }
}

}  // namespace aurora::coord::sim
