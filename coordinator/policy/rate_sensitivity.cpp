#include "aurora/coordinator/rate_sensitivity.hpp"

#include <algorithm>

namespace aurora::coord {

namespace {

bool same_action(const Decision& a, const Decision& b) {
  return a.pids == b.pids && a.action == b.action && a.target_nodes == b.target_nodes &&
         a.bytes_to_migrate == b.bytes_to_migrate;
}

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

}  // namespace aurora::coord
