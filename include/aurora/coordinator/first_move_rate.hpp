// Deciding cycles while the page-migration rate is still the start-up probe's figure.
//
// The start-up probe is often taken on an idle machine (the daemon starts before the work), and
// a migration under load reaches about half of it. Until a real migration has measured the
// rate, `run` decides each cycle through FirstMoveRate: when a cycle plans a memory move and
// its decisions would differ at the slowest rate seen under load, the rate is measured again
// under the present load and the cycle decided anew; when they would not, it is taken at once;
// when the rate cannot be measured, the cycle is decided at the typical loaded share of it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aurora/coordinator/placement_policy.hpp"

namespace aurora::coord {

// The lowest share of the start-up (often idle) migration rate that a migration under load was
// seen to reach in the 2-node guest: 21 of 65 MiB/s, 13 of 39 before the probe moved a child's
// pages. A quarter is below all of them.
inline constexpr double kSlowestLoadedRateShare = 0.25;
// What migrations under load typically reached of the start-up rate in the guest: 34-37 of
// 66-76 MiB/s with every vCPU busy, 48 of 82 in `large`.
inline constexpr double kTypicalLoadedRateShare = 0.5;

// Whether `decided` (decide() on `state` with `config`) would change if page migration ran at
// `rate_share` of the rate `config` costs it at: decided again on a copy of `state`, and
// compared decision by decision (pids, action, target nodes, bytes).
bool decisions_depend_on_migration_rate(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                                        const PolicyConfig& config, const PolicyState& state, double now_seconds,
                                        const PolicyOutcome& decided, double rate_share = kSlowestLoadedRateShare);

class FirstMoveRate {
 public:
  // Measures the rate again under the load `snapshot` shows, into the cost parameters; false
  // when it could not (it says why itself). Live, the migration probe; in tests, a fake.
  using MeasureUnderLoad = std::function<bool(const Snapshot& snapshot, CostParameters& cost)>;

  // `measure` empty: nothing is measured and cycles are decided as they are (a replay).
  explicit FirstMoveRate(MeasureUnderLoad measure) : measure_(std::move(measure)) {}

  struct Cycle {
    PolicyOutcome outcome;
    std::vector<std::string> notes;  // "coordinator: ..." lines on how the rate was settled
  };
  // decide() for one cycle; `config.cost` may be updated with the rate it settles on.
  Cycle decide(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints, PolicyConfig& config,
               PolicyState& state, double now_seconds);

  // A real migration measured the rate (CostParameters::migration_observed_bytes_per_second):
  // from now on cycles are decided as they are.
  void real_rate_known() { settled_ = true; }

 private:
  MeasureUnderLoad measure_;
  bool settled_ = false;  // measured under load (or tried to), or a real migration measured it
};

}  // namespace aurora::coord
