// When `run` decides, over snapshots that arrive with jitter (DecisionSchedule).
#include <gtest/gtest.h>

#include "aurora/coordinator/decision_schedule.hpp"

namespace aurora::coord {
namespace {

// A 0.5 s policy over 0.5 s snapshots, each a few ms early or late (the 2-node guest's run
// logs): every snapshot gets a cycle.
TEST(DecisionSchedule, EverySnapshotAtThePolicyIntervalGetsACycleDespiteJitter) {
  DecisionSchedule schedule(0.5);
  int cycles = 0;
  const double jitter[] = {0, -0.02, 0.03, -0.01, 0.0, -0.04, 0.02, -0.03};
  for (int i = 0; i < 8; ++i) cycles += schedule.due(10.0 + 0.5 * i + jitter[i], 0.5);
  EXPECT_EQ(cycles, 8);
}

// A 5 s policy over 1 s snapshots: one cycle in five, the one nearest the interval.
TEST(DecisionSchedule, ALongerPolicyIntervalTakesTheSnapshotNearestIt) {
  DecisionSchedule schedule(5.0);
  std::vector<int> decided;
  for (int i = 0; i <= 15; ++i)
    if (schedule.due(100.0 + i - 0.01 * (i % 3), 1.0)) decided.push_back(i);
  EXPECT_EQ(decided, (std::vector<int>{0, 5, 10, 15}));
}

// Snapshots closer together than the policy interval (a replay, a fast monitor) are skipped.
TEST(DecisionSchedule, SnapshotsWithinTheIntervalAreSkipped) {
  DecisionSchedule schedule(1.0);
  EXPECT_TRUE(schedule.due(0.0, 0.1));
  EXPECT_FALSE(schedule.due(0.5, 0.1));
  EXPECT_FALSE(schedule.due(0.9, 0.1));
  EXPECT_TRUE(schedule.due(0.96, 0.1));
  EXPECT_FALSE(schedule.due(1.5, 0.1));
}

}  // namespace
}  // namespace aurora::coord
