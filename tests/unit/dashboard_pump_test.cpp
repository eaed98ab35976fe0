#include "dashboard/snapshot_pump.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

#include <gtest/gtest.h>

namespace aurora::dashboard {
namespace {

// A source whose next() blocks like the live pipeline: it hands out `count` snapshots, one
// per release() by the test, then blocks until request_stop().
class GatedSource final : public SnapshotSource {
 public:
  const Topology& topology() const override { return topology_; }
  Result<std::optional<Snapshot>> next() override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || released_ > handed_; });
    if (stop_) return std::optional<Snapshot>{};
    ++handed_;
    Snapshot s;
    s.interval_ns = 1'000'000'000;
    s.timestamp_ns = static_cast<std::uint64_t>(handed_) * 1'000'000'000;
    ProcessSample p;
    p.pid = 7;
    p.numa_faults_remote = 10;
    s.processes.push_back(p);
    return std::optional<Snapshot>(std::move(s));
  }
  void request_stop() override {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  void release(int n) {
    std::lock_guard lock(mutex_);
    released_ += n;
    changed_.notify_all();
  }
  int handed() {
    std::lock_guard lock(mutex_);
    return handed_;
  }

 private:
  Topology topology_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int released_ = 0, handed_ = 0;
  bool stop_ = false;
};

TEST(SnapshotPump, MergesWhatArrivedBetweenTakesAndStopsABlockedSource) {
  GatedSource source;
  {
    SnapshotPump pump(source);
    EXPECT_FALSE(pump.take());
    source.release(3);
    for (int i = 0; i < 200 && source.handed() < 3; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto window = pump.take();
    ASSERT_TRUE(window);
    EXPECT_EQ(window->interval_ns, 3'000'000'000u);  // three intervals, merged
    EXPECT_EQ(window->timestamp_ns, 3'000'000'000u);  // ending at the newest
    EXPECT_EQ(window->processes.at(0).numa_faults_remote, 30u);
    EXPECT_FALSE(pump.take());
    EXPECT_FALSE(pump.ended());
  }  // the destructor stops the source blocked in next() and joins
  EXPECT_EQ(source.handed(), 3);
}

}  // namespace
}  // namespace aurora::dashboard
