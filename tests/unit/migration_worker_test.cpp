// The coordinator's page-migration worker: one migration at a time, off the policy's thread;
// a pid is never queued twice; stop() drops what has not started and stops what has.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "actuators/migration_worker.hpp"

namespace aurora::coord {
namespace {

MigrationRequest request(int pid, std::vector<int> nodes, std::string summary) {
  MigrationRequest r;
  r.pid = pid;
  r.nodes = std::move(nodes);
  r.summary = std::move(summary);
  return r;
}

using namespace std::chrono_literals;

// Waits (up to 10 s) for `done`; the worker runs on its own thread.
template <typename Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST(MigrationWorker, RunsRequestsInOrderOffTheCallersThreadAndReportsEachOnce) {
  std::vector<int> order;
  std::mutex order_mutex;
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> on_other_thread{true};
  MigrationWorker worker([&](const MigrationWorker::Request& r, const std::function<bool()>&) {
    on_other_thread = on_other_thread && std::this_thread::get_id() != caller;
    std::lock_guard lock(order_mutex);
    order.push_back(r.pid);
    return ActionOutcome{true, "moved " + std::to_string(r.pid)};
  });
  ASSERT_TRUE(worker.submit(request(11, {1}, "a")));
  ASSERT_TRUE(worker.submit(request(12, {0}, "b")));
  std::vector<ActionOutcome> finished;
  ASSERT_TRUE(eventually([&] {
    for (auto& o : worker.take_finished()) finished.push_back(o);
    return finished.size() == 2;
  }));
  EXPECT_TRUE(on_other_thread);
  EXPECT_EQ(order, (std::vector<int>{11, 12}));
  EXPECT_EQ(finished[0].pid, 11);
  EXPECT_EQ(finished[0].line, "moved 11");
  EXPECT_EQ(finished[1].pid, 12);
  EXPECT_TRUE(worker.busy().empty());
  EXPECT_TRUE(worker.take_finished().empty());
}

TEST(MigrationWorker, StopEndsTheRunningMigrationAndDropsQueuedOnes) {
  std::atomic<bool> started{false}, saw_stop{false};
  MigrationWorker worker([&](const MigrationWorker::Request& r, const std::function<bool()>& stop_requested) {
    started = true;
    // A long migration: it ends only when asked to stop, as migrate_process_memory does
    // between its move_pages calls.
    while (!stop_requested()) std::this_thread::sleep_for(1ms);
    saw_stop = true;
    return ActionOutcome{true, "stopped " + std::to_string(r.pid)};
  });
  ASSERT_TRUE(worker.submit(request(21, {1}, "long")));
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  ASSERT_TRUE(worker.submit(request(22, {1}, "queued")));
  // The same pid again, running or queued, is refused.
  EXPECT_FALSE(worker.submit(request(21, {0}, "again")));
  EXPECT_FALSE(worker.submit(request(22, {0}, "again")));
  EXPECT_EQ(worker.busy(), (std::set<int>{21, 22}));
  const auto outcomes = worker.stop();
  EXPECT_TRUE(saw_stop);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].pid, 21);
  EXPECT_TRUE(outcomes[0].ok);
  EXPECT_EQ(outcomes[1].pid, 22);
  EXPECT_FALSE(outcomes[1].ok);
  EXPECT_NE(outcomes[1].line.find("not started"), std::string::npos) << outcomes[1].line;
  EXPECT_TRUE(worker.busy().empty());
  // Stopped for good: nothing more is queued, and a second stop returns nothing and does not hang.
  EXPECT_FALSE(worker.submit(request(23, {1}, "late")));
  EXPECT_TRUE(worker.stop().empty());
}

}  // namespace
}  // namespace aurora::coord
