#include "dashboard/format.hpp"

#include <gtest/gtest.h>

namespace aurora::dashboard {
namespace {

TEST(DashboardFormat, RatesStayWithinFiveCells) {
  EXPECT_EQ(format_rate(std::nullopt), "-");
  EXPECT_EQ(format_rate(0.0), "0");
  EXPECT_EQ(format_rate(2.5), "2.5");
  EXPECT_EQ(format_rate(999.0), "999");
  EXPECT_EQ(format_rate(1234.0), "1.2k");
  EXPECT_EQ(format_rate(12345.0), "12k");
  EXPECT_EQ(format_rate(4.5e6), "4.5M");
  for (double v = 0.01; v < 1e15; v *= 3.7) EXPECT_LE(format_rate(v).size(), 5u) << v;
}

TEST(DashboardFormat, BytesUseBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0");
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(1536), "1.5K");
  EXPECT_EQ(format_bytes(3ull << 30), "3.0G");
  EXPECT_EQ(format_bytes(200ull << 20), "200M");
  for (std::uint64_t v = 1; v < (1ull << 60); v *= 7) EXPECT_LE(format_bytes(v).size(), 6u) << v;
}

TEST(DashboardFormat, FittingCutsVisiblyAndKeepsPathTails) {
  EXPECT_EQ(fit_left("nginx", 8), "nginx   ");
  EXPECT_EQ(fit_right("42", 5), "   42");
  EXPECT_EQ(fit_left("averyveryverylongname", 8), "averyve~");
  EXPECT_EQ(fit_path("/kubepods/pod1/abcdef", 8), "~/abcdef");
  EXPECT_EQ(fit_left("tab\there\x1b[31m", 14), "tab?here?[31m ");
  EXPECT_EQ(fit_left("caf\xc3\xa9", 5), "caf??");
  EXPECT_EQ(fit_left("x", 0), "");
}

TEST(DashboardFormat, NodeSharesAreTenthsPerNode) {
  EXPECT_EQ(format_node_shares({90, 10, 0}), "91.");
  EXPECT_EQ(format_node_shares({100, 0, 0, 0}), "9...");
  EXPECT_EQ(format_node_shares({1, 99}), "09");
  EXPECT_EQ(format_node_shares({0, 0}), "..");
}

TEST(DashboardFormat, PercentAndBars) {
  EXPECT_EQ(format_percent(std::nullopt), "-");
  EXPECT_EQ(format_percent(0.456), "46%");
  EXPECT_EQ(format_percent(1.7), "100%");
  EXPECT_EQ(format_bar(0.5, 10, '|'), "|||||     ");
  EXPECT_EQ(format_bar(2.0, 4, '#'), "####");
  EXPECT_EQ(format_cpu_percent(150.0), "150.0");
}

}  // namespace
}  // namespace aurora::dashboard
