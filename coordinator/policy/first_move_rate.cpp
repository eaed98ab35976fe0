#include "aurora/coordinator/first_move_rate.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace aurora::coord {

namespace {

bool same_action(const Decision& a, const Decision& b) {
  return a.pids == b.pids && a.action == b.action && a.target_nodes == b.target_nodes &&
         a.bytes_to_migrate == b.bytes_to_migrate;
}

constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

bool decisions_depend_on_migration_rate(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                                        const PolicyConfig& config, const PolicyState& state, double now_seconds,
                                        const PolicyOutcome& decided, double rate_share) {
  PolicyConfig slower = config;
  slower.cost.migration_observed_bytes_per_second = migration_rate(config.cost) * rate_share;
  PolicyState scratch = state;
  const PolicyOutcome slow = decide(topology, snapshot, hints, slower, scratch, now_seconds);
  return !std::equal(decided.decisions.begin(), decided.decisions.end(), slow.decisions.begin(), slow.decisions.end(),
                     same_action);
}

FirstMoveRate::Cycle FirstMoveRate::decide(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                                           PolicyConfig& config, PolicyState& state, double now_seconds) {
  Cycle cycle;
  if (settled_ || !measure_) {
    cycle.outcome = coord::decide(topology, snapshot, hints, config, state, now_seconds);
    return cycle;
  }
  // Decided on a copy first: only what it plans tells whether the rate matters.
  PolicyState tentative = state;
  cycle.outcome = coord::decide(topology, snapshot, hints, config, tentative, now_seconds);
  const bool moves_memory = std::any_of(cycle.outcome.decisions.begin(), cycle.outcome.decisions.end(),
                                        [](const Decision& d) { return d.moves_memory(); });
  if (!moves_memory) {
    state = std::move(tentative);
    return cycle;
  }
  // The same at the slowest rate seen under load: a measurement could not change them, and the
  // migration itself then gives the rate. Found in the 2-node guest (`crowded`): the measurement
  // took 0.5-0.8 s before a 128 MiB move that paid at any rate, the process remote meanwhile.
  if (!decisions_depend_on_migration_rate(topology, snapshot, hints, config, state, now_seconds, cycle.outcome)) {
    cycle.notes.push_back(fmt::format(
        "coordinator: page migration not measured again before the first memory move: this cycle's decisions are "
        "the same at {:.0f}% of the {:.0f} MiB/s it is costed at",
        kSlowestLoadedRateShare * 100, migration_rate(config.cost) / kMiB));
    state = std::move(tentative);
    return cycle;
  }
  settled_ = true;
  if (!measure_(snapshot, config.cost)) {
    // Not measurable now (no two nodes with room for the probe, or it failed): the figure it
    // has was most likely taken idle. Found in the guest (`large`): with no room for the probe,
    // a 232 MiB fill was costed at the idle 82 MiB/s and chosen over a thread move by 0.2 CPU-s;
    // it ran at 48.
    config.cost.migration_observed_bytes_per_second = migration_rate(config.cost) * kTypicalLoadedRateShare;
    cycle.notes.push_back(fmt::format(
        "coordinator: this cycle's decisions depend on the migration rate: moves are costed at {:.0f}% of that, "
        "{:.0f} MiB/s (what migrations under load reached of a rate measured idle), until a real one is measured",
        kTypicalLoadedRateShare * 100, config.cost.migration_observed_bytes_per_second / kMiB));
  }
  cycle.outcome = coord::decide(topology, snapshot, hints, config, state, now_seconds);
  return cycle;
}

}  // namespace aurora::coord
