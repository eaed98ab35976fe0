#include "dashboard/view_state.hpp"

#include <gtest/gtest.h>

#include "dashboard/screen_layout.hpp"
#include "synthetic_recording.hpp"

namespace aurora::dashboard {
namespace {

class DashboardKeys : public ::testing::Test {
 protected:
  DashboardKeys() : model_(synthetic::make_topology(spec())) {
    model_.update(synthetic::make_snapshot(spec(), 0));
  }
  static synthetic::Spec spec() {
    synthetic::Spec s;
    s.nodes = 4;
    s.processes = 20;
    s.threads = 2000;
    return s;
  }
  Frame draw(int width = 120, int height = 30) {
    LayoutOptions o;
    o.width = width;
    o.height = height;
    return layout_screen(model_, state_, o);
  }
  // The first column of the table rows on screen (pids or tids), in order.
  std::vector<int> ids_on_screen() {
    const Frame frame = draw();
    std::vector<int> ids;
    bool in_table = false;
    for (const Line& l : frame.lines) {
      if (l.style == Style::kColumnHeader && (l.text.find("PID") != std::string::npos || l.text.find("TID") != std::string::npos)) {
        in_table = true;
        continue;
      }
      if (!in_table) continue;
      const std::string first = l.text.substr(0, 7);
      if (first.find_first_not_of(' ') == std::string::npos ||
          first.find_first_not_of(" 0123456789") != std::string::npos)
        break;
      ids.push_back(std::stoi(first));
    }
    return ids;
  }
  void press(int key) { handle_key(state_, key, model_); }
  void type(const std::string& text) {
    for (char c : text) press(c);
  }

  DashboardModel model_;
  ViewState state_;
};

TEST_F(DashboardKeys, SortKeysReorderRows) {
  state_.current_sort() = {"pid", false};
  auto ids = ids_on_screen();
  ASSERT_GE(ids.size(), 5u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  press('N');  // same column again: reverse
  ids = ids_on_screen();
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
  press('P');
  EXPECT_EQ(state_.current_sort().column_id, "cpu");
  ids = ids_on_screen();
  for (std::size_t i = 1; i < ids.size(); ++i)
    EXPECT_GE(model_.process(ids[i - 1])->cpu_percent, model_.process(ids[i])->cpu_percent);
  press('>');
  EXPECT_EQ(state_.current_sort().column_id, "home");
  press('<');
  press('<');
  EXPECT_EQ(state_.current_sort().column_id, "threads");
  press('r');
  EXPECT_FALSE(state_.current_sort().descending);
}

TEST_F(DashboardKeys, FilterByNameNodeAndCgroup) {
  press('/');
  EXPECT_TRUE(state_.editing_filter);
  type("nginx");
  press(keys::kEnter);
  EXPECT_FALSE(state_.editing_filter);
  auto ids = ids_on_screen();
  ASSERT_FALSE(ids.empty());
  for (int pid : ids) EXPECT_EQ(model_.process(pid)->comm, "nginx");
  press(keys::kEscape);  // clears
  EXPECT_TRUE(state_.filter.empty());
  EXPECT_GT(ids_on_screen().size(), ids.size());
  press('/');
  type("node:2");
  press(keys::kEnter);
  ids = ids_on_screen();
  ASSERT_FALSE(ids.empty());
  for (int pid : ids) EXPECT_EQ(model_.process(pid)->home_node, 2);
  state_.filter = "cg:kubepods";
  ids = ids_on_screen();
  ASSERT_FALSE(ids.empty());
  for (int pid : ids) EXPECT_NE(model_.process(pid)->cgroup.find("kubepods"), std::string::npos);
  // Esc while editing restores the previous filter.
  press('/');
  type("zzz");
  press(keys::kEscape);
  EXPECT_EQ(state_.filter, "cg:kubepods");
  state_.filter = "no-such-process";
  EXPECT_NE(draw().text().find("no processes in scope"), std::string::npos);
}

TEST_F(DashboardKeys, EnterOpensTheThreadsOfTheSelectedProcess) {
  state_.current_sort() = {"pid", false};
  draw();
  EXPECT_EQ(state_.cursor().selected_key, "1000");
  press(keys::kDown);
  draw();
  EXPECT_EQ(state_.cursor().selected_key, "1001");
  press(keys::kEnter);
  EXPECT_EQ(state_.view, View::kThreads);
  EXPECT_EQ(state_.threads_pid, 1001);
  state_.current_sort() = {"tid", false};
  EXPECT_NE(draw().text().find("[Threads of 1001"), std::string::npos);
  const auto tids = ids_on_screen();
  ASSERT_FALSE(tids.empty());
  EXPECT_EQ(tids.front(), 1001);  // the main thread's tid is the pid
  const auto threads = model_.threads_of(1001);
  for (int tid : tids)
    EXPECT_TRUE(std::any_of(threads.begin(), threads.end(),
                            [&](const ThreadRow& t) { return t.tid == tid; }));
  press(keys::kEscape);
  EXPECT_EQ(state_.view, View::kProcesses);
}

TEST_F(DashboardKeys, ThousandsOfThreadsScrollWithTheSelection) {
  state_.current_sort() = {"pid", false};
  draw();
  press(keys::kEnter);  // pid 1000 holds a quarter of the 2000 threads
  state_.current_sort() = {"tid", false};
  draw();
  press(keys::kEnd);
  const auto tids = ids_on_screen();
  ASSERT_FALSE(tids.empty());
  const auto threads = model_.threads_of(1000);
  ASSERT_EQ(threads.size(), 500u);
  int highest = 0;
  for (const auto& t : threads) highest = std::max(highest, t.tid);
  EXPECT_EQ(tids.back(), highest);
  EXPECT_EQ(state_.cursor().selected_key, std::to_string(highest));
  press(keys::kPageUp);
  draw();
  EXPECT_EQ(state_.cursor().selected_index, 499 - state_.page_rows);
}

TEST_F(DashboardKeys, SelectedProcessExitingMovesTheSelectionAndSaysSo) {
  state_.current_sort() = {"pid", false};
  draw();
  press(keys::kEnd);
  draw();
  EXPECT_EQ(state_.cursor().selected_key, "1019");
  model_.update(synthetic::make_snapshot(spec(), 1));  // pid 1019 exits
  const Frame frame = draw();
  EXPECT_NE(state_.notice.find("pid 1019 is gone"), std::string::npos);
  EXPECT_EQ(state_.cursor().selected_key, "1018");
  EXPECT_NE(frame.text().find("pid 1019 is gone"), std::string::npos);
  // Its threads view, open when it exits, says so instead of showing stale rows.
  state_.threads_pid = 1019;
  state_.view = View::kThreads;
  EXPECT_NE(draw().text().find("process 1019 has exited"), std::string::npos);
}

TEST_F(DashboardKeys, ViewsPauseIntervalHelpAndQuit) {
  press('c');
  EXPECT_EQ(state_.view, View::kCgroups);
  draw();
  press(keys::kEnter);  // drill into the selected cgroup
  EXPECT_EQ(state_.view, View::kProcesses);
  ASSERT_FALSE(state_.cgroup_scope.empty());
  for (int pid : ids_on_screen()) EXPECT_EQ(model_.process(pid)->cgroup, state_.cgroup_scope);
  press(keys::kEscape);
  EXPECT_EQ(state_.view, View::kCgroups);
  press('n');
  EXPECT_EQ(state_.view, View::kNodes);
  EXPECT_NE(draw().text().find("BUSY%"), std::string::npos);
  press('o');
  EXPECT_EQ(state_.view, View::kCoordinator);
  press(' ');
  EXPECT_TRUE(state_.paused);
  EXPECT_NE(draw().text().find("PAUSED"), std::string::npos);
  press(' ');
  EXPECT_FALSE(state_.paused);
  EXPECT_EQ(handle_key(state_, '+', model_), KeyEffect::kIntervalChanged);
  EXPECT_DOUBLE_EQ(state_.interval_seconds, 2.0);
  press('-');
  press('-');
  EXPECT_DOUBLE_EQ(state_.interval_seconds, 0.5);
  EXPECT_EQ(handle_key(state_, '-', model_), KeyEffect::kRedraw);  // already the shortest
  press('h');
  EXPECT_NE(draw().text().find("aurora top - keys"), std::string::npos);
  press('p');
  EXPECT_FALSE(state_.help);
  press('t');  // no process chosen yet for the threads view... one is selected: opens it
  EXPECT_EQ(state_.view, View::kThreads);
  EXPECT_EQ(handle_key(state_, 'q', model_), KeyEffect::kQuit);
}

TEST(DashboardFilter, Parses) {
  EXPECT_EQ(parse_filter("node:3").node, 3);
  EXPECT_EQ(parse_filter("cg:pod").cgroup, "pod");
  EXPECT_EQ(parse_filter("node:").text, "node:");
  EXPECT_EQ(parse_filter("node:99999999999999").node, 999999);
  EXPECT_EQ(parse_filter("java").text, "java");
  EXPECT_TRUE(parse_filter("").empty());
}

}  // namespace
}  // namespace aurora::dashboard
