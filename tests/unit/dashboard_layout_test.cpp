#include "dashboard/screen_layout.hpp"

#include <gtest/gtest.h>

#include "synthetic_recording.hpp"

namespace aurora::dashboard {
namespace {

synthetic::Spec eight_nodes(int processes = 30, int threads = 600) {
  synthetic::Spec spec;
  spec.nodes = 8;
  spec.processes = processes;
  spec.threads = threads;
  return spec;
}

DashboardModel model_of(const synthetic::Spec& spec, int snapshot = 0) {
  DashboardModel model(synthetic::make_topology(spec));
  model.update(synthetic::make_snapshot(spec, snapshot));
  return model;
}

Frame screen(const DashboardModel& model, ViewState& state, int width, int height) {
  LayoutOptions o;
  o.width = width;
  o.height = height;
  o.source_label = "replay test.jsonl";
  return layout_screen(model, state, o);
}

int line_starting(const Frame& frame, const std::string& prefix) {
  for (std::size_t i = 0; i < frame.lines.size(); ++i)
    if (frame.lines[i].text.rfind(prefix, 0) == 0) return static_cast<int>(i);
  return -1;
}

void expect_exact_size(const Frame& frame, int width, int height) {
  EXPECT_EQ(static_cast<int>(frame.lines.size()), height);
  for (const Line& l : frame.lines) {
    EXPECT_EQ(static_cast<int>(l.text.size()), width) << l.text;
    for (const Span& s : l.spans) EXPECT_LE(s.start + s.length, width) << l.text;
    for (char c : l.text) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << l.text;
  }
}

TEST(DashboardLayout, EightNodeHeaderFitsAn80x24Terminal) {
  const auto model = model_of(eight_nodes());
  ViewState state;
  const Frame frame = screen(model, state, 80, 24);
  expect_exact_size(frame, 80, 24);
  for (int n = 0; n < 8; ++n)
    EXPECT_GE(line_starting(frame, "N" + std::to_string(n) + " "), 0) << frame.text();
  const int heading = line_starting(frame, "    PID COMMAND");
  ASSERT_GE(heading, 0) << frame.text();
  for (const char* title : {"CPU%", "LOC%", "HOME", "MEM"})
    EXPECT_NE(frame.lines[static_cast<std::size_t>(heading)].text.find(title), std::string::npos)
        << title;
  // Rows fill what is left between heading and the message line + footer.
  EXPECT_EQ(24 - 2 - (heading + 1), 10);
  EXPECT_EQ(frame.lines[static_cast<std::size_t>(heading + 1)].style, Style::kSelected);
  EXPECT_NE(frame.lines.back().text.find("q:quit"), std::string::npos);
}

TEST(DashboardLayout, WideTerminalsShowPerNodeMemoryAndCgroups) {
  const auto model = model_of(eight_nodes());
  ViewState state;
  const Frame frame = screen(model, state, 240, 50);
  expect_exact_size(frame, 240, 50);
  const int heading = line_starting(frame, "    PID COMMAND");
  ASSERT_GE(heading, 0);
  const std::string& h = frame.lines[static_cast<std::size_t>(heading)].text;
  for (const char* title : {"CGROUP", "NODES", "RFLT/s", "NMIG/s", "CLASS", "RECOMMENDATION",
                            "N0", "N7"})
    EXPECT_NE(h.find(title), std::string::npos) << title << " in " << h;
  // At 80 columns the per-node columns are the first to go.
  ViewState narrow;
  const Frame small = screen(model, narrow, 80, 24);
  const std::string& sh = small.lines[static_cast<std::size_t>(line_starting(small, "    PID"))].text;
  EXPECT_EQ(sh.find("N7"), std::string::npos) << sh;
}

TEST(DashboardLayout, DistanceMatrixOnRequest) {
  const auto model = model_of(eight_nodes());
  ViewState state;
  EXPECT_LT(line_starting(screen(model, state, 100, 40), "dist"), 0);
  state.show_distances = true;
  const Frame frame = screen(model, state, 100, 40);
  const int at = line_starting(frame, "dist");
  ASSERT_GE(at, 0);
  // Node 0 to 5 is across the synthetic machine's halves: distance 32.
  EXPECT_EQ(frame.lines[static_cast<std::size_t>(at + 1)].text.substr(0, 37),
            "N0     10  16  16  16  32  32  32  32");
}

TEST(DashboardLayout, TinyAndShortTerminalsNeitherCrashNorOverflow) {
  const auto model = model_of(eight_nodes());
  for (int width : {1, 10, 20, 40, 80})
    for (int height : {1, 3, 5, 12, 24}) {
      ViewState state;
      const Frame frame = screen(model, state, width, height);
      EXPECT_LE(static_cast<int>(frame.lines.size()), height + 2);
      for (const Line& l : frame.lines) EXPECT_LE(static_cast<int>(l.text.size()), width);
    }
  ViewState state;
  const Frame frame = screen(model, state, 80, 12);  // 8 nodes on 12 lines: bars yield
  EXPECT_GE(line_starting(frame, "... 4 more nodes"), 0) << frame.text();
}

TEST(DashboardLayout, LongAndHostileNamesKeepColumnsAligned) {
  synthetic::Spec spec = eight_nodes(2, 2);
  DashboardModel model(synthetic::make_topology(spec));
  Snapshot s = synthetic::make_snapshot(spec, 0);
  s.processes[0].comm = std::string(300, 'x') + "\x1b[2J";
  s.processes[0].cgroup = "/" + std::string(500, 'c') + "/tail-of-path";
  s.processes[0].container.clear();
  model.update(s);
  ViewState state;
  const Frame frame = screen(model, state, 160, 30);
  expect_exact_size(frame, 160, 30);
  const std::string text = frame.text();
  EXPECT_NE(text.find("xxx~"), std::string::npos);
  EXPECT_NE(text.find("-of-path"), std::string::npos) << text;  // paths keep their tail
  EXPECT_EQ(text.find("ccccc"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(DashboardLayout, EmptyScopeSaysSo) {
  synthetic::Spec spec = eight_nodes(0, 0);
  DashboardModel model(synthetic::make_topology(spec));
  model.update(synthetic::make_snapshot(spec, 0));
  ViewState state;
  Frame frame = screen(model, state, 80, 24);
  expect_exact_size(frame, 80, 24);
  EXPECT_NE(frame.text().find("no processes in scope"), std::string::npos);
  state.view = View::kCgroups;
  EXPECT_NE(screen(model, state, 80, 24).text().find("no cgroups in scope"), std::string::npos);
  DashboardModel waiting(synthetic::make_topology(spec));
  ViewState fresh;
  EXPECT_NE(screen(waiting, fresh, 80, 24).text().find("waiting for the first snapshot"),
            std::string::npos);
}

TEST(DashboardLayout, PoorLocalityIsColouredAndMarked) {
  const auto model = model_of(eight_nodes());
  ViewState state;
  state.current_sort() = {"locality", false};  // worst first
  state.cursor().selected_index = 5;            // keep the selection bar off the first rows
  const Frame frame = screen(model, state, 80, 24);
  const int heading = line_starting(frame, "    PID");
  const Line& worst = frame.lines[static_cast<std::size_t>(heading + 1)];
  const std::size_t loc = frame.lines[static_cast<std::size_t>(heading)].text.find("LOC%");
  ASSERT_NE(loc, std::string::npos);
  const ProcessRow* row = model.process(std::stoi(worst.text.substr(0, 7)));
  ASSERT_NE(row, nullptr);
  ASSERT_TRUE(row->locality);
  ASSERT_LT(*row->locality, 0.5) << "the synthetic recording has processes below 50%";
  EXPECT_NE(worst.text.find('!'), std::string::npos) << worst.text;
  bool red = false;
  for (const Span& s : worst.spans) red |= s.style == Style::kBad;
  EXPECT_TRUE(red);
}

TEST(DashboardLayout, BatchModePrintsEveryRowWithoutFooter) {
  const auto model = model_of(eight_nodes(120, 1200));
  ViewState state;
  LayoutOptions o;
  o.width = 200;
  o.height = 0;
  o.interactive = false;
  const Frame frame = layout_screen(model, state, o);
  const int heading = line_starting(frame, "    PID");
  ASSERT_GE(heading, 0);
  EXPECT_EQ(static_cast<int>(frame.lines.size()) - heading - 1, 120);
  EXPECT_EQ(frame.text().find("q:quit"), std::string::npos);
  for (const Line& l : frame.lines) EXPECT_NE(l.style, Style::kSelected);
}

class FakeCoordinator final : public CoordinatorFeed {
 public:
  std::vector<CoordinatorEntry> recent(std::size_t) const override {
    CoordinatorEntry e;
    e.id = 7;
    e.kind = CoordinatorEntry::Kind::kRecommendation;
    e.pid = 1003;
    e.state = "proposed";
    e.summary = "move to node 2";
    e.reason = "62% of its faults are remote";
    return {e};
  }
  std::string workload_class(int pid) const override { return pid == 1003 ? "latency" : ""; }
  bool can_act() const override { return false; }
  Result<void> apply(std::uint64_t) override { return {}; }
  Result<void> revert(std::uint64_t) override { return {}; }
};

TEST(DashboardLayout, CoordinatorColumnAndViewComeFromTheFeedOnly) {
  const auto spec = eight_nodes();
  ViewState state;
  state.current_sort() = {"pid", false};
  {
    const auto model = model_of(spec);
    const Frame frame = screen(model, state, 240, 40);
    EXPECT_EQ(frame.text().find("move to node"), std::string::npos);
    state.view = View::kCoordinator;
    EXPECT_NE(screen(model, state, 240, 40).text().find("No coordinator is attached"),
              std::string::npos);
  }
  FakeCoordinator feed;
  DashboardModel model(synthetic::make_topology(spec));
  model.update(synthetic::make_snapshot(spec, 0), &feed);
  LayoutOptions o;
  o.width = 240;
  o.height = 40;
  o.coordinator = &feed;
  state.view = View::kProcesses;
  const std::string processes = layout_screen(model, state, o).text();
  const auto row = processes.find("   1003 ");
  ASSERT_NE(row, std::string::npos);
  const std::string line = processes.substr(row, processes.find('\n', row) - row);
  EXPECT_NE(line.find("latency"), std::string::npos) << line;
  EXPECT_NE(line.find("move to node 2 (proposed)"), std::string::npos) << line;
  state.view = View::kCoordinator;
  const std::string view = layout_screen(model, state, o).text();
  EXPECT_NE(view.find("62% of its faults are remote"), std::string::npos) << view;
}

}  // namespace
}  // namespace aurora::dashboard
