#include "aurora/config.hpp"

#include <gtest/gtest.h>

namespace aurora {
namespace {

TEST(Config, DefaultsWhenEmpty) {
  auto config = parse_config("", "test.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_DOUBLE_EQ(config->monitor.interval_seconds, 1.0);
}

TEST(Config, ReadsInterval) {
  auto config = parse_config("[monitor]\ninterval_seconds = 2.5\n", "test.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_DOUBLE_EQ(config->monitor.interval_seconds, 2.5);
}

TEST(Config, UnknownKeyIsBadInputNamingKeyAndLine) {
  auto config = parse_config("[monitor]\ninterval_secs = 2\n", "my.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(config.error().message.find("monitor.interval_secs"), std::string::npos);
  EXPECT_NE(config.error().message.find("my.toml:2"), std::string::npos);
}

TEST(Config, MalformedTomlNamesFile) {
  auto config = parse_config("[monitor\n", "broken.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(config.error().message.find("broken.toml:1"), std::string::npos);
}

TEST(Config, OutOfRangeRejected) {
  auto config = parse_config("[monitor]\ninterval_seconds = 0\n", "t.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::kBadInput);
}

TEST(Config, MissingFileIsNotFound) {
  auto config = load_config("/nonexistent/aurora.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(exit_code_for(config.error().kind), 2);
}

}  // namespace
}  // namespace aurora
