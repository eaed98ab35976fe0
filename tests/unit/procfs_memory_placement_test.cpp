// MemoryPlacementSampler: threshold, per-process rate limit and cache hygiene.
#include <gtest/gtest.h>

#include "aurora/memory_placement.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kMiB = 1ull << 20;

std::string numa_maps_with_pages(std::uint64_t node0_pages, std::uint64_t node1_pages) {
  // Like the kernel, name only the nodes holding pages.
  std::string line = "7f0000000000 default anon=" + std::to_string(node0_pages + node1_pages);
  if (node0_pages) line += " N0=" + std::to_string(node0_pages);
  if (node1_pages) line += " N1=" + std::to_string(node1_pages);
  return line + " kernelpagesize_kB=4\n";
}

TEST(MemoryPlacementSampler, SkipsProcessesBelowTheRssThreshold) {
  FakeTree tree;
  tree.write("/proc/10/numa_maps", numa_maps_with_pages(1, 1));
  MemoryPlacementSampler sampler(HostRoot(tree.path()), {64 * kMiB, seconds(10)});
  auto small = sampler.sample(10, 63 * kMiB, Clock::now());
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_FALSE(small->has_value());
  EXPECT_EQ(sampler.stats().reads, 0u);
  EXPECT_EQ(sampler.stats().skipped_small, 1u);
}

TEST(MemoryPlacementSampler, ServesTheCacheUntilTheIntervalHasPassed) {
  FakeTree tree;
  tree.write("/proc/20/numa_maps", numa_maps_with_pages(1000, 3000));
  MemoryPlacementSampler sampler(HostRoot(tree.path()), {64 * kMiB, seconds(10)});
  const Clock::time_point start = Clock::now();

  auto first = sampler.sample(20, 100 * kMiB, start);
  ASSERT_TRUE(first && first->has_value());
  EXPECT_TRUE((*first)->fresh);
  EXPECT_EQ((*first)->bytes_by_node.at(1), 3000 * 4096u);

  // The process's placement changes, but within the interval the cached reading is served.
  tree.write("/proc/20/numa_maps", numa_maps_with_pages(4000, 0));
  auto cached = sampler.sample(20, 100 * kMiB, start + seconds(9));
  ASSERT_TRUE(cached && cached->has_value());
  EXPECT_FALSE((*cached)->fresh);
  EXPECT_EQ((*cached)->sampled_at, start);
  EXPECT_EQ((*cached)->bytes_by_node.at(1), 3000 * 4096u);
  EXPECT_EQ(sampler.stats().reads, 1u);
  EXPECT_EQ(sampler.stats().cache_hits, 1u);

  auto refreshed = sampler.sample(20, 100 * kMiB, start + seconds(10));
  ASSERT_TRUE(refreshed && refreshed->has_value());
  EXPECT_TRUE((*refreshed)->fresh);
  EXPECT_EQ((*refreshed)->bytes_by_node.at(0), 4000 * 4096u);
  EXPECT_EQ((*refreshed)->bytes_by_node.count(1), 0u);
  EXPECT_EQ(sampler.stats().reads, 2u);
}

TEST(MemoryPlacementSampler, AGrowingProcessIsReadAgainWithinTheInterval) {
  FakeTree tree;
  tree.write("/proc/25/numa_maps", numa_maps_with_pages(16384, 0));  // 64 MiB, still first-touching
  MemoryPlacementSampler sampler(HostRoot(tree.path()), {64 * kMiB, seconds(10)});
  const Clock::time_point start = Clock::now();
  ASSERT_TRUE(sampler.sample(25, 64 * kMiB, start));
  tree.write("/proc/25/numa_maps", numa_maps_with_pages(16384, 16384));
  // 5% more RSS: the cache still describes it.
  auto cached = sampler.sample(25, 67 * kMiB, start + seconds(1));
  ASSERT_TRUE(cached && cached->has_value());
  EXPECT_FALSE((*cached)->fresh);
  // Twice the RSS: read again, though the interval has not passed.
  auto grown = sampler.sample(25, 128 * kMiB, start + seconds(2));
  ASSERT_TRUE(grown && grown->has_value());
  EXPECT_TRUE((*grown)->fresh);
  EXPECT_EQ((*grown)->bytes_by_node.at(1), 16384 * 4096u);
  EXPECT_EQ(sampler.stats().reads, 2u);
}

TEST(MemoryPlacementSampler, VanishedProcessIsNotFoundAndForgotten) {
  FakeTree tree;
  tree.write("/proc/30/numa_maps", numa_maps_with_pages(10, 10));
  MemoryPlacementSampler sampler(HostRoot(tree.path()), {0, seconds(0)});
  ASSERT_TRUE(sampler.sample(30, 1, Clock::now()));
  EXPECT_EQ(sampler.cached(), 1u);
  tree.remove("/proc/30");
  auto gone = sampler.sample(30, 1, Clock::now());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message.find("30"), std::string::npos);
  EXPECT_EQ(sampler.cached(), 0u);
}

TEST(MemoryPlacementSampler, RetainOnlyDropsExitedProcesses) {
  FakeTree tree;
  for (int pid : {41, 42, 43}) tree.write("/proc/" + std::to_string(pid) + "/numa_maps", numa_maps_with_pages(1, 0));
  MemoryPlacementSampler sampler(HostRoot(tree.path()), {0, seconds(60)});
  for (int pid : {41, 42, 43}) ASSERT_TRUE(sampler.sample(pid, 1, Clock::now()));
  EXPECT_EQ(sampler.cached(), 3u);
  sampler.retain_only({42});
  EXPECT_EQ(sampler.cached(), 1u);
  sampler.forget(42);
  EXPECT_EQ(sampler.cached(), 0u);
}

}  // namespace
}  // namespace aurora
