// [coordinator] configuration keys: defaults, values, and bad input naming the key and line.
#include <gtest/gtest.h>

#include "aurora/config.hpp"
#include "aurora/coordinator/coordinator_config.hpp"

namespace aurora {
namespace {

TEST(CoordinatorConfig, DefaultsMatchThePolicyDefaults) {
  auto config = parse_config("", "t.toml");
  ASSERT_TRUE(config);
  const coord::PolicyConfig from_file = coord::policy_config_from(config->coordinator);
  const coord::PolicyConfig built_in;
  EXPECT_EQ(from_file.min_rss_bytes, built_in.min_rss_bytes);
  EXPECT_DOUBLE_EQ(from_file.min_cpu_cores, built_in.min_cpu_cores);
  EXPECT_DOUBLE_EQ(from_file.hold_seconds, built_in.hold_seconds);
  EXPECT_DOUBLE_EQ(from_file.min_gain, built_in.min_gain);
  EXPECT_DOUBLE_EQ(from_file.cost.migration_budget_bytes_per_second, built_in.cost.migration_budget_bytes_per_second);
  EXPECT_DOUBLE_EQ(from_file.cost.horizon_seconds, built_in.cost.horizon_seconds);
  EXPECT_EQ(from_file.node_memory_reserve_bytes, built_in.node_memory_reserve_bytes);
  EXPECT_EQ(from_file.pingpong_reversals, built_in.pingpong_reversals);
  const coord::MigrationPace pace = coord::migration_pace_from(config->coordinator);
  EXPECT_DOUBLE_EQ(pace.budget_bytes_per_second, coord::MigrationPace{}.budget_bytes_per_second);
  EXPECT_EQ(pace.parallel_calls, coord::MigrationPace{}.parallel_calls);
}

TEST(CoordinatorConfig, ReadsEveryKind) {
  auto config = parse_config(
      "[coordinator]\ninterval_seconds = 10\nenable_thread_affinity = false\nmin_rss_mib = 300\n"
      "migration_budget_mib_per_second = 64\nhold_seconds = 300\nscope_pids = [12, 34]\n"
      "scope_cgroups = [\"/kubepods\"]\njournal_path = \"/tmp/j.jsonl\"\npingpong_reversals = 3\n"
      "migration_parallel_calls = 2\nio_sleeps_per_cpu_second = 150\nio_max_cpu_cores = 1\n",
      "t.toml");
  ASSERT_TRUE(config) << config.error().message;
  const auto& c = config->coordinator;
  EXPECT_DOUBLE_EQ(c.interval_seconds, 10);
  EXPECT_FALSE(c.enable_thread_affinity);
  EXPECT_TRUE(c.enable_memory_migration);
  EXPECT_EQ(c.scope_pids, (std::vector<int>{12, 34}));
  EXPECT_EQ(c.scope_cgroups, std::vector<std::string>{"/kubepods"});
  EXPECT_EQ(c.journal_path, "/tmp/j.jsonl");
  const auto p = coord::policy_config_from(c);
  EXPECT_EQ(p.min_rss_bytes, 300ull << 20);
  EXPECT_DOUBLE_EQ(p.cost.migration_budget_bytes_per_second, 64.0 * 1024 * 1024);
  EXPECT_EQ(p.pingpong_reversals, 3);
  EXPECT_DOUBLE_EQ(p.classes.io_sleeps_per_cpu_second, 150);
  EXPECT_DOUBLE_EQ(p.classes.io_max_cpu_cores, 1);
  const auto pace = coord::migration_pace_from(c);
  EXPECT_DOUBLE_EQ(pace.budget_bytes_per_second, 64.0 * 1024 * 1024);
  EXPECT_EQ(pace.parallel_calls, 2);
}

TEST(CoordinatorConfig, BadInputNamesKeyAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[coordinator]\nhold_secs = 3\n", "t.toml:2: unknown key 'coordinator.hold_secs'"},
      {"[coordinator]\nmin_gain = 2\n", "coordinator.min_gain must be a number between 0 and 1"},
      {"[coordinator]\n\nenable_memory_migration = \"yes\"\n", "t.toml:3"},
      {"[coordinator]\nscope_pids = [\"x\"]\n", "scope_pids"},
      {"[coordinator]\nscope_cgroups = [\"kubepods\"]\n", "starting with '/'"},
      {"[coordinator]\nmax_moves_per_cycle = 1.5\n", "max_moves_per_cycle must be an integer"},
      {"coordinator = 3\n", "[coordinator] must be a table"},
      {"[coordinator]\nmigration_parallel_calls = 0\n", "migration_parallel_calls"},
      {"[coordinator]\nio_sleeps_per_cpu_second = 0\n", "io_sleeps_per_cpu_second"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "t.toml");
    ASSERT_FALSE(config) << c.text;
    EXPECT_EQ(config.error().kind, ErrorKind::kBadInput);
    EXPECT_NE(config.error().message.find(c.expect), std::string::npos) << config.error().message;
  }
}

}  // namespace
}  // namespace aurora
