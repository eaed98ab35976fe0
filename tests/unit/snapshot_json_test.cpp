#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "aurora/snapshot.hpp"

namespace aurora {
namespace {

TEST(SnapshotJson, RoundTripsEveryLevel) {
  Snapshot s;
  s.interval_ns = 1'000'000'000;
  s.events_lost = 3;
  s.probes.push_back({"raw_tp/sched_switch", true, "attached"});
  s.nodes.push_back({0, 5, 100, 50, 1, 2, 3, 4});
  ProcessSample p;
  p.pid = 42;
  p.comm = "worker";
  p.cgroup = "/system.slice/docker-abc.scope";
  p.container = "abc";
  p.threads = 2;
  p.cpu_ns_by_node = {{0, 700}, {2, 300}};
  p.memory_bytes_by_node = {{0, 4096}};
  p.locality = 0.75;
  p.home_node = 0;
  ThreadSample t;
  t.tid = 43;
  t.cpu_ns_by_node = {{2, 300}};
  p.thread_samples.push_back(t);
  s.processes.push_back(p);

  nlohmann::json j = s;
  EXPECT_EQ(j["processes"][0]["cpu_ns_by_node"]["2"], 300);
  EXPECT_EQ(j["nodes"][0]["memory_free_bytes"], 50);
  auto back = snapshot_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(nlohmann::json(*back), j);
}

TEST(SnapshotJson, AbsentLocalityIsNull) {
  Snapshot s;
  ProcessSample p;
  p.pid = 1;
  s.processes.push_back(p);
  nlohmann::json j = s;
  EXPECT_TRUE(j["processes"][0]["locality"].is_null());
  auto back = snapshot_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->processes[0].locality.has_value());
}

TEST(SnapshotJson, MalformedIsBadInput) {
  auto result = snapshot_from_json(nlohmann::json::parse(R"({"interval_ns":"x","nodes":[]})"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kBadInput);
}

}  // namespace
}  // namespace aurora
