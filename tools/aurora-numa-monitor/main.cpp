// aurora-numa-monitor: the command line. Parsing and exit codes live here; every subcommand is
// one cmd_*.cpp file. Exceptions stop at this boundary.
#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurora/logging.hpp"
#include "aurora/version.hpp"
#include "command.hpp"

namespace aurora::cli {

int report(const Error& error) {
  std::fprintf(stderr, "aurora-numa-monitor: %s\n", error.message.c_str());
  return exit_code_for(error.kind);
}

}  // namespace aurora::cli

int main(int argc, char** argv) {
  using namespace aurora;
  using namespace aurora::cli;
  // Line by line even into a file or a pipe: `run` and `record` are daemons whose log is read
  // while they run (journald, tail -f, a test waiting for the "coordinator:" line).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  CLI::App app{
      "aurora-numa-monitor: NUMA locality monitor and placement coordinator.\n"
      "Shows where threads run and where their memory lives, per process, cgroup and node,\n"
      "from eBPF and /proc; explains and (optionally) fixes poor placement.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input."};
  app.set_version_flag("--version", fmt::format("aurora-numa-monitor {}", kVersion));
  app.require_subcommand(1);

  GlobalOptions globals;
  app.add_option("--root", globals.root,
                 "Read /sys and /proc under this directory instead of / (captured or fake "
                 "trees; see `topology --capture`)")
      ->capture_default_str();
  app.add_option("--log-level", globals.log_level,
                 "trace, debug, info, warn, error, critical or off")
      ->capture_default_str();
  app.add_option("--config", globals.config_path, "TOML configuration file (docs/coordinator.md, \"Configuration\")");

  CommandContext context(app, globals);
  register_probes_command(context);
  register_topology_command(context);
  register_top_command(context);
  register_run_command(context);
  register_report_command(context);
  register_revert_command(context);
  register_snapshot_command(context);
  register_record_command(context);
  register_replay_command(context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (auto ok = init_logging(globals.log_level); !ok) return report(ok.error());
  if (!globals.config_path.empty()) {
    auto config = load_config(globals.config_path);
    if (!config) return report(config.error());
    globals.config = *config;
  }
  if (!context.selected()) return 2;
  try {
    return context.selected()();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aurora-numa-monitor: internal error: %s\n", e.what());
    return 1;
  }
}
