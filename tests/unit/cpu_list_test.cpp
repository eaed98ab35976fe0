#include "aurora/cpu_list.hpp"

#include <gtest/gtest.h>

namespace aurora {
namespace {

TEST(CpuList, ParsesRangesAndSingles) {
  auto ids = parse_cpu_list("0-3,8,10-11\n");
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(*ids, (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
}

TEST(CpuList, EmptyIsEmpty) {
  auto ids = parse_cpu_list("\n");
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty());
}

TEST(CpuList, RejectsMalformed) {
  for (const char* bad : {"0-", "a", "3-1", "1,,2", "-1"}) {
    auto ids = parse_cpu_list(bad);
    ASSERT_FALSE(ids) << bad;
    EXPECT_EQ(ids.error().kind, ErrorKind::kBadInput);
    EXPECT_NE(ids.error().message.find(bad), std::string::npos);
  }
}

TEST(CpuList, FormatRoundTrips) {
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(format_cpu_list({}), "");
  auto again = parse_cpu_list(format_cpu_list({5, 7, 9, 10}));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, (std::vector<int>{5, 7, 9, 10}));
}

}  // namespace
}  // namespace aurora
