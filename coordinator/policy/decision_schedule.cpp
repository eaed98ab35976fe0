#include "aurora/coordinator/decision_schedule.hpp"

namespace aurora::coord {

bool DecisionSchedule::due(double now_seconds, double snapshot_interval_seconds) {
  if (now_seconds - last_seconds_ < interval_seconds_ - snapshot_interval_seconds / 2) return false;
  last_seconds_ = now_seconds;
  return true;
}

}  // namespace aurora::coord
