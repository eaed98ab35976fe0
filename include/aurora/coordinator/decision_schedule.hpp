// When `run` decides: once every coordinator interval of snapshot time.
#pragma once

#include <limits>

namespace aurora::coord {

// Snapshots arrive at the monitor's interval, give or take the time taking one took. A
// snapshot a little short of the coordinator's interval after the last cycle still gets a
// cycle (within half a snapshot interval): with a strict comparison, a 0.5 s policy over 0.5 s
// snapshots in the 2-node guest skipped every other snapshot that came a few ms early, and
// decided 1 s apart about half the time.
class DecisionSchedule {
 public:
  explicit DecisionSchedule(double interval_seconds) : interval_seconds_(interval_seconds) {}
  // Whether the snapshot taken at `now_seconds`, covering `snapshot_interval_seconds`, gets a
  // cycle; if so, the next interval counts from it.
  bool due(double now_seconds, double snapshot_interval_seconds);

 private:
  double interval_seconds_;
  double last_seconds_ = -std::numeric_limits<double>::infinity();
};

}  // namespace aurora::coord
