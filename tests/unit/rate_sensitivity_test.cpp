// Whether a cycle's decisions hang on the migration rate: the check `run` makes before
// measuring the rate again under load.
#include "aurora/coordinator/rate_sensitivity.hpp"

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

PolicyConfig costed_at(double mib_per_second) {
  PolicyConfig config;
  config.cost.migration_observed_bytes_per_second = mib_per_second * kMiB;
  return config;
}

TEST(RateSensitivity, AMoveThatPaysAtAQuarterOfTheRateDoesNotDependOnIt) {
  const Topology t = make_uniform_topology(2, 8, 64 * kGiB);
  const Snapshot s = remote_memory(128);
  const PolicyConfig config = costed_at(64);
  PolicyState state;
  PolicyState decided_on = state;
  const PolicyOutcome out = decide(t, s, application_placed(), config, decided_on, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_FALSE(decisions_depend_on_migration_rate(t, s, application_placed(), config, state, 0, out));
}

TEST(RateSensitivity, AMoveThatWouldNotPayAtAQuarterOfTheRateDependsOnIt) {
  const Topology t = make_uniform_topology(2, 8, 64 * kGiB);
  const Snapshot s = remote_memory(24 * 1024);  // 24 GiB: 1 min at 400 MiB/s, 4 at 100
  const PolicyConfig config = costed_at(400);
  PolicyState state;
  PolicyState decided_on = state;
  const PolicyOutcome out = decide(t, s, application_placed(), config, decided_on, 0);
  ASSERT_EQ(out.decisions.size(), 1u);
  EXPECT_EQ(out.decisions[0].action, ActionKind::kMoveMemory);
  EXPECT_TRUE(decisions_depend_on_migration_rate(t, s, application_placed(), config, state, 0, out));
  // The state it is given is not changed: deciding again gives the same decision.
  PolicyState again = state;
  EXPECT_EQ(decide(t, s, application_placed(), config, again, 0).decisions.size(), 1u);
  // At the quarter itself nothing changes any more.
  EXPECT_FALSE(decisions_depend_on_migration_rate(t, s, application_placed(), config, state, 0, out, 1.0));
}

}  // namespace
}  // namespace aurora::coord
