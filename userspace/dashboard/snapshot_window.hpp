// The span of time one dashboard refresh covers, built from consecutive snapshots.
//
// A Snapshot's counters (CPU ns, faults, migrations) count what happened during its own
// interval. When the dashboard refreshes less often than the source delivers (interval 5 s
// over a 1 s pipeline, or a pause), the snapshots in between are merged: counters add up,
// levels (memory per node, last CPU, thread count) come from the newest. Rates are then
// counter / window seconds.
#pragma once

#include <cstdint>
#include <optional>

#include "aurora/snapshot.hpp"

namespace aurora::dashboard {

// Adds `older`'s counters into `newer` for every node, process, thread and cgroup present in
// both; what exited before `newer` was taken is dropped (it has no row to show). `newer`'s
// interval grows by `older`'s.
void merge_older_into(Snapshot& newer, const Snapshot& older);

// The seconds a snapshot's counters cover: its interval_ns, or, when a writer left that 0,
// the time since the previous snapshot's timestamp. nullopt when neither says (rates shown
// as "-", never as a guess).
std::optional<double> window_seconds(const Snapshot& current, std::optional<std::uint64_t>
                                                                  previous_timestamp_ns);

}  // namespace aurora::dashboard
