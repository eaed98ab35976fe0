// Whether a cycle's decisions hang on how fast page migration runs.
#pragma once

#include "aurora/coordinator/placement_policy.hpp"

namespace aurora::coord {

// The lowest share of the start-up (often idle) migration rate that a migration under load was
// seen to reach in the 2-node guest: 21 of 65 MiB/s, 13 of 39 before the probe moved a child's
// pages. A quarter is below all of them.
inline constexpr double kSlowestLoadedRateShare = 0.25;

// Whether `decided` (decide() on `state` with `config`) would change if page migration ran at
// `rate_share` of the rate `config` costs it at: decided again on a copy of `state`, and
// compared decision by decision (pids, action, target nodes, bytes). When nothing changes,
// measuring the rate again under load first (0.5-0.8 s of probing in the guest, while the
// process ran remote) cannot change what is done.
bool decisions_depend_on_migration_rate(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                                        const PolicyConfig& config, const PolicyState& state, double now_seconds,
                                        const PolicyOutcome& decided, double rate_share = kSlowestLoadedRateShare);

}  // namespace aurora::coord
