// `aurora-numa-monitor top` driven like a user drives it: in a tmux pane, keys in, screen out.
// Replays a synthetic 8-node recording, so multi-node rendering is tested on a one-node host
// and without root. (Live mode's tmux tests belong with the pipeline in tests/root.)
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "fake_tree.hpp"
#include "synthetic_recording.hpp"
#include "tmux_session.hpp"

namespace {

using namespace std::chrono_literals;

class TopTmux : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TmuxSession::available()) GTEST_SKIP() << "SKIPPED: tmux is not installed";
    aurora::synthetic::Spec spec;
    spec.nodes = 8;
    spec.processes = 40;
    spec.threads = 2000;
    spec.snapshots = 3;
    recording_ = (dir_.path() / "eight-nodes.jsonl").string();
    ASSERT_TRUE(aurora::synthetic::write_recording(recording_, spec));
  }
  // The dashboard in a pane; `after` runs once it exits, and the pane stays for inspection.
  std::string top_command(const std::string& extra = "", const std::string& after = "") const {
    return "sh -c " + TmuxSession::quote(std::string(AURORA_MONITOR_BINARY) + " top --replay " +
                                         recording_ + " " + extra + "; echo rc=$?; " + after +
                                         " sleep 60");
  }
  // The first column of the table rows under the heading that contains `heading`.
  static std::vector<std::string> first_column(const std::string& screen, const std::string& heading) {
    std::vector<std::string> out;
    std::istringstream lines(screen);
    std::string line;
    bool in_table = false;
    while (std::getline(lines, line)) {
      if (!in_table) {
        in_table = line.find(heading) != std::string::npos && line.find("COMMAND") != std::string::npos;
        continue;
      }
      std::istringstream words(line);
      std::string first;
      if (!(words >> first) || first.find_first_not_of("0123456789") != std::string::npos) break;
      out.push_back(first);
    }
    return out;
  }
  static std::vector<std::string> column_of(const std::string& screen, const std::string& heading,
                                            int index) {
    std::vector<std::string> out;
    std::istringstream lines(screen);
    std::string line;
    bool in_table = false;
    while (std::getline(lines, line)) {
      if (!in_table) {
        in_table = line.find(heading) != std::string::npos && line.find("COMMAND") != std::string::npos;
        continue;
      }
      std::istringstream words(line);
      std::vector<std::string> w;
      for (std::string x; words >> x;) w.push_back(x);
      if (w.empty() || w[0].find_first_not_of("0123456789") != std::string::npos) break;
      if (static_cast<int>(w.size()) > index) out.push_back(w[static_cast<std::size_t>(index)]);
    }
    return out;
  }

  FakeTree dir_;
  std::string recording_;
};

TEST_F(TopTmux, HeaderShowsEveryNodeOfTheRecordedMachine) {
  TmuxSession tmux(top_command("--interval 30"), 80, 24);
  ASSERT_TRUE(tmux.wait_for("N7  CPU[")) << tmux.screen();
  const std::string screen = tmux.screen();
  for (int n = 0; n < 8; ++n)
    EXPECT_NE(screen.find("\nN" + std::to_string(n) + "  CPU["), std::string::npos) << n;
  EXPECT_NE(screen.find("procs 40  threads 2000"), std::string::npos) << screen;
  EXPECT_FALSE(first_column(screen, "PID").empty()) << screen;
  tmux.send("q");
  EXPECT_TRUE(tmux.wait_for("rc=0")) << tmux.screen();
}

TEST_F(TopTmux, SortingAndFilteringChangeWhatIsShown) {
  TmuxSession tmux(top_command("--interval 30"), 120, 40);
  ASSERT_TRUE(tmux.wait_for("CPU%>")) << tmux.screen();
  const auto by_cpu = first_column(tmux.screen(), "PID");
  ASSERT_GE(by_cpu.size(), 10u);
  tmux.send("N");  // sort by pid, ascending
  ASSERT_TRUE(tmux.wait_for("PID<")) << tmux.screen();
  const auto by_pid = first_column(tmux.screen(), "PID");
  ASSERT_GE(by_pid.size(), 10u);
  EXPECT_NE(by_pid, by_cpu);
  EXPECT_EQ(by_pid.front(), "1000");
  for (std::size_t i = 1; i < by_pid.size(); ++i) EXPECT_LT(std::stoi(by_pid[i - 1]), std::stoi(by_pid[i]));
  tmux.send("/");
  tmux.send("nginx", true);
  tmux.send("Enter");
  ASSERT_TRUE(tmux.wait_for("filter 'nginx'")) << tmux.screen();
  const auto commands = column_of(tmux.screen(), "PID", 1);
  ASSERT_FALSE(commands.empty()) << tmux.screen();
  for (const auto& c : commands) EXPECT_EQ(c, "nginx");
  EXPECT_LT(commands.size(), by_pid.size());
  tmux.send("Escape");  // clears the filter
  ASSERT_TRUE(tmux.wait_for("java")) << tmux.screen();
  tmux.send("q");
  EXPECT_TRUE(tmux.wait_for("rc=0"));
}

TEST_F(TopTmux, ThreadsViewListsTheThreadsOfTheSelectedProcess) {
  TmuxSession tmux(top_command("--interval 30 --sort pid"), 120, 40);
  ASSERT_TRUE(tmux.wait_for("PID<")) << tmux.screen();
  tmux.send("Enter");  // the selection is on the first row: pid 1000
  ASSERT_TRUE(tmux.wait_for("[Threads of 1000 postgres]")) << tmux.screen();
  tmux.send("N");  // by tid, ascending: the main thread (tid = pid) first
  tmux.send("Home");  // the selection followed its thread: back to the top
  ASSERT_TRUE(tmux.wait_for("TID<")) << tmux.screen();
  ASSERT_TRUE(tmux.wait_for("\n   1000 postgres ")) << tmux.screen();
  const std::string screen = tmux.screen();
  const auto tids = first_column(screen, "TID");
  ASSERT_GE(tids.size(), 20u) << screen;
  EXPECT_EQ(tids.front(), "1000");
  const auto names = column_of(screen, "TID", 1);
  for (std::size_t i = 1; i < names.size(); ++i) EXPECT_EQ(names[i].rfind("postgres-w", 0), 0u) << names[i];
  tmux.send("Escape");
  ASSERT_TRUE(tmux.wait_for("[Processes]"));
  tmux.send("q");
  EXPECT_TRUE(tmux.wait_for("rc=0"));
}

TEST_F(TopTmux, QuitRestoresTheTerminal) {
  const std::string before = (dir_.path() / "stty.before").string();
  const std::string after = (dir_.path() / "stty.after").string();
  TmuxSession tmux("sh -c " + TmuxSession::quote("stty -g > " + before + "; " +
                                                  AURORA_MONITOR_BINARY + " top --replay " +
                                                  recording_ + "; echo rc=$?; stty -g > " +
                                                  after + "; sleep 60"),
                   80, 24);
  ASSERT_TRUE(tmux.wait_for("q:quit")) << tmux.screen();
  EXPECT_EQ(tmux.query("#{alternate_on}"), "1\n");
  tmux.send("q");
  ASSERT_TRUE(tmux.wait_for("rc=0")) << tmux.screen();
  EXPECT_EQ(tmux.query("#{alternate_on}"), "0\n");
  EXPECT_EQ(tmux.screen().find("q:quit"), std::string::npos);  // the dashboard is gone
  for (int i = 0; i < 100 && !std::ifstream(after).good(); ++i) std::this_thread::sleep_for(20ms);
  std::stringstream b, a;
  b << std::ifstream(before).rdbuf();
  a << std::ifstream(after).rdbuf();
  EXPECT_FALSE(b.str().empty());
  EXPECT_EQ(a.str(), b.str()) << "terminal modes changed";
}

TEST_F(TopTmux, ResizingRelaysOutTheScreen) {
  TmuxSession tmux(top_command("--interval 30"), 200, 50);
  ASSERT_TRUE(tmux.wait_for("RECOMMENDATION")) << tmux.screen();
  tmux.resize(60, 15);
  ASSERT_TRUE(tmux.wait_for("... 3 more nodes")) << tmux.screen();
  std::string screen = tmux.screen();
  EXPECT_EQ(screen.find("RECOMMENDATION"), std::string::npos);
  EXPECT_NE(screen.find("PID"), std::string::npos) << screen;
  EXPECT_NE(screen.find("h:help"), std::string::npos) << screen;
  tmux.resize(20, 6);
  tmux.resize(100, 30);
  ASSERT_TRUE(tmux.wait_for("N7  CPU[")) << tmux.screen();
  EXPECT_EQ(tmux.screen().find("rc="), std::string::npos);  // still running
  tmux.send("q");
  EXPECT_TRUE(tmux.wait_for("rc=0"));
}

TEST_F(TopTmux, DumbTerminalGetsPlainTextSnapshots) {
  TmuxSession tmux("sh -c " + TmuxSession::quote("TERM=dumb " + std::string(AURORA_MONITOR_BINARY) +
                                                  " top --replay " + recording_ +
                                                  " -n 1 --width 70 | tail -n 5; echo rc=$?; sleep 60"),
                   100, 30);
  ASSERT_TRUE(tmux.wait_for("rc=0")) << tmux.screen();
  EXPECT_EQ(tmux.query("#{alternate_on}"), "0\n");
}

std::string run_capture(const std::string& command, int& status) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  status = ::pclose(pipe);
  status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST_F(TopTmux, PipedOutputIsBatchModeLikeTopDashB) {
  int status = 0;
  const std::string out = run_capture(std::string(AURORA_MONITOR_BINARY) + " top --replay " +
                                          recording_ + " -n 2 --width 150 2>&1",
                                      status);
  EXPECT_EQ(status, 0) << out;
  std::size_t titles = 0;
  for (std::size_t at = 0; (at = out.find("aurora top - replay", at)) != std::string::npos; ++at) ++titles;
  EXPECT_EQ(titles, 2u);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);  // no escape sequences
  EXPECT_NE(out.find("\nN7  CPU["), std::string::npos);
  // Every process of the snapshot, not a screenful: 40, then 39 (one exits).
  EXPECT_NE(out.find("procs 40"), std::string::npos);
  EXPECT_NE(out.find("procs 39"), std::string::npos);
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 150u);
  // All snapshots when -n is not given.
  const std::string all = run_capture(std::string(AURORA_MONITOR_BINARY) + " top --replay " +
                                          recording_ + " --view nodes 2>&1",
                                      status);
  EXPECT_EQ(status, 0);
  titles = 0;
  for (std::size_t at = 0; (at = all.find("aurora top - replay", at)) != std::string::npos; ++at) ++titles;
  EXPECT_EQ(titles, 3u);
  EXPECT_NE(all.find("BUSY%"), std::string::npos);
}

TEST_F(TopTmux, BadInputGetsOneLineAndExitTwo) {
  int status = 0;
  std::string out = run_capture(std::string(AURORA_MONITOR_BINARY) +
                                    " top --replay /nonexistent/run.jsonl 2>&1",
                                status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("/nonexistent/run.jsonl"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  dir_.write("/garbage.jsonl", "this is not json\n");
  out = run_capture(std::string(AURORA_MONITOR_BINARY) + " top --replay " +
                        (dir_.path() / "garbage.jsonl").string() + " -b 2>&1",
                    status);
  EXPECT_EQ(status, 2) << out;
  out = run_capture(std::string(AURORA_MONITOR_BINARY) + " top --replay " + recording_ +
                        " --view bogus 2>&1",
                    status);
  EXPECT_EQ(status, 2) << out;
  out = run_capture(std::string(AURORA_MONITOR_BINARY) + " top --replay " + recording_ +
                        " --sort bogus 2>&1",
                    status);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("not a column"), std::string::npos) << out;
}

}  // namespace
