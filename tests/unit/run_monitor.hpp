// Runs the real aurora-numa-monitor binary (AURORA_MONITOR_BINARY) and collects its exit code,
// stdout and stderr, for tests of the command line as users meet it.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fake_tree.hpp"

struct MonitorRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `args` is appended to the command line as is (quote paths with shell_quote).
inline MonitorRun run_monitor(const std::string& args) {
  FakeTree scratch;
  const auto out_path = scratch.path() / "stdout";
  const auto err_path = scratch.path() / "stderr";
  const std::string command = shell_quote(AURORA_MONITOR_BINARY) + " " + args + " >" +
                              shell_quote(out_path.string()) + " 2>" +
                              shell_quote(err_path.string());
  const int status = std::system(command.c_str());
  MonitorRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  };
  run.out = slurp(out_path);
  run.err = slurp(err_path);
  return run;
}
