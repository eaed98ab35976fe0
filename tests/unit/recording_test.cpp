#include "aurora/recording.hpp"

#include <gtest/gtest.h>

#include "fake_tree.hpp"

namespace aurora {
namespace {

Topology two_node_topology() {
  Topology t;
  t.nodes.push_back({0, {0, 1}, 1 << 30, 1 << 29, {}, {}, {{0, 10}, {1, 21}}, "DRAM"});
  t.nodes.push_back({1, {2, 3}, 1 << 30, 1 << 28, {}, {}, {{0, 21}, {1, 10}}, "DRAM"});
  for (int cpu = 0; cpu < 4; ++cpu) t.cpus.push_back({cpu, cpu / 2, 0, cpu, cpu / 2, {cpu}});
  return t;
}

TEST(Recording, WritesAndReplaysSnapshotsInOrder) {
  FakeTree dir;
  const std::string path = (dir.path() / "run.jsonl").string();
  RecordingHeader header;
  header.aurora_version = "test";
  header.topology = two_node_topology();
  header.probes.push_back({"raw_tp/sched_switch", true, "attached"});
  {
    auto writer = RecordingWriter::create(path, header);
    ASSERT_TRUE(writer) << writer.error().message;
    for (int i = 1; i <= 3; ++i) {
      Snapshot s;
      s.interval_ns = static_cast<std::uint64_t>(i) * 1000;
      ProcessSample p;
      p.pid = 100 + i;
      p.cpu_ns_by_node = {{1, static_cast<std::uint64_t>(i)}};
      s.processes.push_back(p);
      ASSERT_TRUE(writer->append(s));
    }
  }
  auto source = ReplaySource::open(path);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ((*source)->topology().nodes.size(), 2u);
  EXPECT_EQ((*source)->topology().distance(0, 1), 21);
  EXPECT_EQ((*source)->topology().node_of_cpu(3), 1);
  EXPECT_EQ((*source)->header().probes.at(0).name, "raw_tp/sched_switch");
  for (int i = 1; i <= 3; ++i) {
    auto snapshot = (*source)->next();
    ASSERT_TRUE(snapshot) << snapshot.error().message;
    ASSERT_TRUE(snapshot->has_value());
    EXPECT_EQ((*snapshot)->processes.at(0).pid, 100 + i);
    EXPECT_EQ((*snapshot)->processes.at(0).cpu_ns_by_node.at(1), static_cast<std::uint64_t>(i));
  }
  auto end = (*source)->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
}

TEST(Recording, MissingFileIsNotFound) {
  auto source = ReplaySource::open("/nonexistent/recording.jsonl");
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().kind, ErrorKind::kNotFound);
}

TEST(Recording, GarbageNamesFileAndLine) {
  FakeTree dir;
  dir.write("/bad.jsonl", "{\"type\":\"header\",\"format_version\":1,\"topology\":{\"nodes\":[]}}\nnot json\n");
  auto source = ReplaySource::open((dir.path() / "bad.jsonl").string());
  ASSERT_TRUE(source) << source.error().message;
  auto snapshot = (*source)->next();
  ASSERT_FALSE(snapshot);
  EXPECT_EQ(snapshot.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(snapshot.error().message.find("bad.jsonl:2"), std::string::npos);
}

TEST(Recording, WrongVersionRejected) {
  FakeTree dir;
  dir.write("/v9.jsonl", "{\"type\":\"header\",\"format_version\":9,\"topology\":{\"nodes\":[]}}\n");
  auto source = ReplaySource::open((dir.path() / "v9.jsonl").string());
  ASSERT_FALSE(source);
  EXPECT_NE(source.error().message.find("format_version 9"), std::string::npos);
}

}  // namespace
}  // namespace aurora
