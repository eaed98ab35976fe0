// The dashboard's coordinator feed: the real policy, run in dry-run mode on the snapshots the
// dashboard reads, classifies processes and proposes moves, and refuses to act.
#include "aurora/coordinator/dry_run_feed.hpp"

#include <gtest/gtest.h>

#include "aurora/coordinator/sim_shapes.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;
constexpr std::uint64_t kSecond = 1'000'000'000ull;

// Two CPU-seconds per second on node 1, 512 MiB on node 0: a misplaced memory-bound process.
Snapshot misplaced_snapshot(std::uint64_t timestamp_ns) {
  Snapshot s;
  s.interval_ns = kSecond;
  s.timestamp_ns = timestamp_ns;
  ProcessSample p;
  p.pid = 4242;
  p.comm = "misplaced";
  p.threads = 2;
  p.cpu_ns_by_node[1] = 2 * kSecond;
  p.memory_bytes_by_node[0] = 512 * kMiB;
  p.numa_faults_remote = 1000;
  s.processes.push_back(p);
  return s;
}

class FixedSource final : public SnapshotSource {
 public:
  explicit FixedSource(Topology t) : topology_(std::move(t)) {}
  const Topology& topology() const override { return topology_; }
  Result<std::optional<Snapshot>> next() override {
    if (served_ == 2) return std::optional<Snapshot>{};
    return std::optional<Snapshot>(misplaced_snapshot((++served_) * 10 * kSecond));
  }
  void request_stop() override {}

 private:
  Topology topology_;
  int served_ = 0;
};

TEST(DryRunFeed, ObservedSnapshotsYieldClassAndRecommendation) {
  const Topology topology = make_uniform_topology(2, 8, 16 * kGiB);
  DryRunFeed feed(topology, PolicyConfig{}, 5.0);
  ObservedSource source(std::make_unique<FixedSource>(topology), feed);
  EXPECT_TRUE(feed.recent(10).empty());
  EXPECT_EQ(feed.workload_class(4242), "");

  auto first = source.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->processes.at(0).pid, 4242);  // passed on unchanged
  EXPECT_EQ(feed.workload_class(4242), "memory-bound");
  const auto entries = feed.recent(10);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].pid, 4242);
  EXPECT_EQ(entries[0].state, "proposed");
  EXPECT_NE(entries[0].summary.find("4242"), std::string::npos) << entries[0].summary;
  EXPECT_FALSE(entries[0].reason.empty());

  // The hold time after a proposed move keeps the second cycle from proposing it again.
  ASSERT_TRUE(source.next());
  EXPECT_EQ(feed.recent(10).size(), 1u);
  auto end = source.next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
}

TEST(DryRunFeed, NeverActs) {
  const Topology topology = make_uniform_topology(2, 8, 16 * kGiB);
  DryRunFeed feed(topology, PolicyConfig{}, 5.0);
  feed.observe(misplaced_snapshot(10 * kSecond));
  EXPECT_FALSE(feed.can_act());
  auto applied = feed.apply(feed.recent(1).at(0).id);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().kind, ErrorKind::kUnsupported);
  EXPECT_NE(applied.error().message.find("run --apply"), std::string::npos);
}

}  // namespace
}  // namespace aurora::coord
