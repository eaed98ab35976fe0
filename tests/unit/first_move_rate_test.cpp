// Deciding cycles while the migration rate is still the start-up figure: whether a cycle's
// decisions hang on the rate, and what FirstMoveRate does about it (measure again, take them at
// once, or cost them at the loaded share when the rate cannot be measured).
#include "aurora/coordinator/first_move_rate.hpp"

#include <gtest/gtest.h>

#include "aurora/coordinator/sim_shapes.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;
constexpr std::uint64_t kSecond = 1'000'000'000ull;

// A process whose threads the application placed on node 1 (they stay), all its memory on
// node 0: moving the memory is the only option.
Snapshot remote_memory(std::uint64_t mib) {
  ProcessSample p;
  p.pid = 100;
  p.comm = "worker";
  p.threads = 4;
  p.cpu_ns_by_node[1] = 4 * kSecond;
  p.memory_bytes_by_node[0] = mib * kMiB;
  p.numa_faults_local = 1000;
  Snapshot s;
  s.interval_ns = kSecond;
  s.processes = {p};
  return s;
}

PolicyHints application_placed() {
  PolicyHints hints;
  hints.threads_fixed = {100};
  return hints;
}

// One process's cycle with migration costed at `mib_per_second`.
struct Cycle {
  Topology topology = make_uniform_topology(2, 8, 64 * kGiB);
  Snapshot snapshot;
  PolicyConfig config;
  PolicyState state;

  Cycle(std::uint64_t mib, double mib_per_second) : snapshot(remote_memory(mib)) {
    config.cost.migration_observed_bytes_per_second = mib_per_second * kMiB;
  }
  // decide() on a copy of the state, as a tentative cycle is decided.
  PolicyOutcome tentative() const {
    PolicyState copy = state;
    return decide(topology, snapshot, application_placed(), config, copy, 0);
  }
  bool depends(const PolicyOutcome& decided, double rate_share = kSlowestLoadedRateShare) const {
    return decisions_depend_on_migration_rate(topology, snapshot, application_placed(), config, state, 0, decided,
                                              rate_share);
  }
  FirstMoveRate::Cycle through(FirstMoveRate& first_move, double now = 0) {
    return first_move.decide(topology, snapshot, application_placed(), config, state, now);
  }
};

// A fake measurement under load: counts its calls and, when it can measure, sets `rate`.
struct FakeMeasure {
  int calls = 0;
  bool can = true;
  double mib_per_second = 0;
  FirstMoveRate::MeasureUnderLoad function() {
    return [this](const Snapshot&, CostParameters& cost) {
      ++calls;
      if (can) cost.migration_observed_bytes_per_second = mib_per_second * kMiB;
      return can;
    };
  }
};

TEST(FirstMoveRate, AMoveThatPaysAtAQuarterOfTheRateDoesNotDependOnIt) {
  const Cycle cycle(128, 64);
  const PolicyOutcome out = cycle.tentative();
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_FALSE(cycle.depends(out));
}

TEST(FirstMoveRate, AMoveThatWouldNotPayAtAQuarterOfTheRateDependsOnIt) {
  Cycle cycle(24 * 1024, 400);  // 24 GiB: 1 min at 400 MiB/s, 4 at 100
  const PolicyOutcome out = cycle.tentative();
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_TRUE(cycle.depends(out));
  EXPECT_FALSE(cycle.depends(out, 1.0));  // at the full rate nothing changes
  // The state it is given is not changed: deciding on it (which records the move) still gives
  // the decision, where a state that held the move would give none.
  EXPECT_EQ(decide(cycle.topology, cycle.snapshot, application_placed(), cycle.config, cycle.state, 0).decisions.size(), 1u);
  EXPECT_TRUE(decide(cycle.topology, cycle.snapshot, application_placed(), cycle.config, cycle.state, 1).decisions.empty());
}

TEST(FirstMoveRate, AMoveThatDoesNotDependOnTheRateIsTakenWithoutMeasuring) {
  Cycle cycle(128, 64);
  FakeMeasure measure;
  FirstMoveRate first_move(measure.function());
  const auto taken = cycle.through(first_move);
  EXPECT_EQ(measure.calls, 0);
  ASSERT_EQ(taken.outcome.decisions.size(), 1u);
  ASSERT_EQ(taken.notes.size(), 1u);
  EXPECT_NE(taken.notes[0].find("not measured again before the first memory move: this cycle's decisions are the same "
                                "at 25% of the 64 MiB/s"),
            std::string::npos)
      << taken.notes[0];
  // The decision is recorded in the state: the process is held.
  EXPECT_TRUE(cycle.through(first_move, 1).outcome.decisions.empty());
}

TEST(FirstMoveRate, ARateDependentMoveIsDecidedAtTheRateMeasuredUnderLoad) {
  Cycle cycle(24 * 1024, 400);
  FakeMeasure measure;
  measure.mib_per_second = 50;  // at 50 MiB/s, 8 min: it does not pay
  FirstMoveRate first_move(measure.function());
  const auto measured = cycle.through(first_move);
  EXPECT_EQ(measure.calls, 1);
  EXPECT_TRUE(measured.outcome.decisions.empty());
  EXPECT_DOUBLE_EQ(cycle.config.cost.migration_observed_bytes_per_second, 50.0 * kMiB);
  // Measured once: later cycles are decided at that rate, without measuring again.
  cycle.config.cost.migration_observed_bytes_per_second = 400.0 * kMiB;
  EXPECT_EQ(cycle.through(first_move, 1).outcome.decisions.size(), 1u);
  EXPECT_EQ(measure.calls, 1);
}

TEST(FirstMoveRate, ARateDependentMoveThatCannotBeMeasuredIsCostedAtTheLoadedShare) {
  Cycle cycle(32 * 1024, 400);  // 32 GiB: 82 s at 400 MiB/s, 164 s at 200
  ASSERT_EQ(cycle.tentative().decisions.size(), 1u);
  FakeMeasure measure;
  measure.can = false;
  FirstMoveRate first_move(measure.function());
  const auto costed = cycle.through(first_move);
  EXPECT_EQ(measure.calls, 1);
  EXPECT_DOUBLE_EQ(cycle.config.cost.migration_observed_bytes_per_second, 200.0 * kMiB);
  ASSERT_EQ(costed.notes.size(), 1u);
  EXPECT_NE(costed.notes[0].find("moves are costed at 50% of that, 200 MiB/s"), std::string::npos) << costed.notes[0];
  // 32 GiB at 200 MiB/s takes longer than the 120 s horizon: it does not pay.
  EXPECT_TRUE(costed.outcome.decisions.empty());
}

TEST(FirstMoveRate, ThreadMovesAndReplaysAreDecidedAsTheyAre) {
  Cycle cycle(24 * 1024, 400);
  FirstMoveRate replay{FirstMoveRate::MeasureUnderLoad()};
  EXPECT_EQ(cycle.through(replay).outcome.decisions.size(), 1u);  // at 400 MiB/s, unmeasured
  // Without the application's pinning its threads go to their memory: nothing to measure.
  Cycle threads(24 * 1024, 400);
  FakeMeasure measure;
  FirstMoveRate first_move(measure.function());
  const auto out = first_move.decide(threads.topology, threads.snapshot, {}, threads.config, threads.state, 0);
  ASSERT_EQ(out.outcome.decisions.size(), 1u);
  EXPECT_EQ(out.outcome.decisions[0].action, ActionKind::kMoveThreads);
  EXPECT_EQ(measure.calls, 0);
  EXPECT_TRUE(out.notes.empty());
  EXPECT_TRUE(first_move.decide(threads.topology, threads.snapshot, {}, threads.config, threads.state, 1)
                  .outcome.decisions.empty());  // recorded: held
}

}  // namespace
}  // namespace aurora::coord
