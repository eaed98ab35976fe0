// `top` live, through the real BPF pipeline, driven in tmux: the header shows this machine's
// nodes, a process the test starts appears with its pid and locality, and its threads view
// lists its threads. Needs root (SKIPPED otherwise).
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tmux_session.hpp"

namespace {

// A child with three busy threads named "aurora-topt" (main) and "aurora-topw" (workers).
pid_t start_busy_child() {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_NAME, "aurora-topt");
  std::vector<std::thread> workers;
  for (int i = 0; i < 2; ++i)
    workers.emplace_back([] {
      ::prctl(PR_SET_NAME, "aurora-topw");
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;
    });
  for (;;) ::pause();
}

std::set<std::string> tids_of(pid_t pid) {
  std::set<std::string> out;
  if (DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/task").c_str())) {
    while (dirent* e = ::readdir(dir))
      if (e->d_name[0] != '.') out.insert(e->d_name);
    ::closedir(dir);
  }
  return out;
}

std::vector<int> online_nodes() {
  std::ifstream in("/sys/devices/system/node/online");
  std::string text;
  std::getline(in, text);
  std::vector<int> nodes;
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    const auto dash = part.find('-');
    const int first = std::stoi(part.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(part.substr(dash + 1));
    for (int n = first; n <= last; ++n) nodes.push_back(n);
  }
  return nodes;
}

std::string line_with(const std::string& screen, const std::string& text) {
  std::istringstream lines(screen);
  for (std::string line; std::getline(lines, line);)
    if (line.find(text) != std::string::npos) return line;
  return {};
}

TEST(TopLive, ShowsTheMachinesNodesAndAProcessWithItsThreads) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: live top needs root (BPF)";
  if (!TmuxSession::available()) GTEST_SKIP() << "SKIPPED: tmux is not installed";
  const pid_t child = start_busy_child();
  ASSERT_GT(child, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string pid = std::to_string(child);
  {
    TmuxSession tmux("sh -c " + TmuxSession::quote(std::string(AURORA_MONITOR_BINARY) +
                                                    " top --pid " + pid +
                                                    " --interval 1 --sort pid; echo rc=$?; sleep 60"),
                     160, 40);
    ASSERT_TRUE(tmux.wait_for("aurora-topt", std::chrono::seconds(30))) << tmux.screen();
    const std::string screen = tmux.screen();
    for (int node : online_nodes())
      EXPECT_NE(screen.find("\nN" + std::to_string(node) + " "), std::string::npos) << screen;
    EXPECT_NE(screen.find("live pid " + pid), std::string::npos) << screen;
    // The row: pid first, then the name; LOC% holds a percentage or '-' (no signal).
    const std::string row = line_with(screen, " aurora-topt");
    std::istringstream words(row);
    std::vector<std::string> cells;
    for (std::string w; words >> w;) cells.push_back(w);
    ASSERT_GE(cells.size(), 9u) << row;
    EXPECT_EQ(cells[0], pid);
    const std::string heading = line_with(screen, "LOC%");
    std::istringstream titles(heading);
    std::vector<std::string> names;
    for (std::string w; titles >> w;) names.push_back(w);
    const auto loc = std::find(names.begin(), names.end(), "LOC%");
    ASSERT_NE(loc, names.end()) << heading;
    const std::string locality = cells[static_cast<std::size_t>(loc - names.begin())];
    EXPECT_TRUE(locality == "-" || locality.find('%') != std::string::npos) << row;
    // Its threads: every tid of /proc/<pid>/task shows, workers by name.
    tmux.send("Enter");
    ASSERT_TRUE(tmux.wait_for("[Threads of " + pid)) << tmux.screen();
    ASSERT_TRUE(tmux.wait_for("aurora-topw")) << tmux.screen();
    const std::string threads = tmux.screen();
    for (const std::string& tid : tids_of(child))
      EXPECT_NE(threads.find(" " + tid + " "), std::string::npos) << tid << "\n" << threads;
    tmux.send("q");
    EXPECT_TRUE(tmux.wait_for("rc=0")) << tmux.screen();
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

}  // namespace
