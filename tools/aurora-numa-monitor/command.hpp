// How subcommands plug into aurora-numa-monitor: each cmd_*.cpp registers one subcommand and
// the action to run when it is chosen. Actions return the process exit code
// (0 ok, 1 runtime failure, 2 bad usage or bad input).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "aurora/config.hpp"
#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora::cli {

struct GlobalOptions {
  std::string root = "/";
  std::string log_level = "info";
  std::string config_path;
  Config config;  // loaded from config_path before the action runs

  HostRoot host_root() const { return HostRoot(root); }
};

using Action = std::function<int()>;

class CommandContext {
 public:
  CommandContext(CLI::App& app, GlobalOptions& globals) : app_(app), globals_(globals) {}
  CLI::App& app() { return app_; }
  GlobalOptions& globals() { return globals_; }
  // Registers `action` to run when `subcommand` is the one parsed.
  void on_run(CLI::App* subcommand, Action action) {
    subcommand->callback([this, action = std::move(action)] { selected_ = action; });
  }
  const Action& selected() const { return selected_; }

 private:
  CLI::App& app_;
  GlobalOptions& globals_;
  Action selected_;
};

// Prints "aurora-numa-monitor: <message>" on stderr; returns the exit code for its kind.
int report(const Error& error);

void register_probes_command(CommandContext& context);
void register_topology_command(CommandContext& context);
void register_top_command(CommandContext& context);
void register_run_command(CommandContext& context);
void register_report_command(CommandContext& context);
void register_revert_command(CommandContext& context);
void register_snapshot_command(CommandContext& context);
void register_record_command(CommandContext& context);
void register_replay_command(CommandContext& context);

}  // namespace aurora::cli
