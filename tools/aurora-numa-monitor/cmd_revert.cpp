// `aurora-numa-monitor revert [--all | --pid P] [--memory]`: undoes what `run --apply` did, from
// its journal, newest action first. Also finishes after a monitor killed mid-action.
#include <fmt/format.h>

#include "aurora/coordinator/coordinator_config.hpp"
#include "aurora/coordinator/executor.hpp"
#include "aurora/coordinator/journal.hpp"
#include "command.hpp"

namespace aurora::cli {

namespace {

struct RevertOptions {
  bool all = false;
  int pid = 0;
  bool memory = false;
  std::string journal;
};

int revert(GlobalOptions& globals, const RevertOptions& options) {
  if (options.all == (options.pid != 0))
    return report({ErrorKind::kBadInput, "revert needs exactly one of --all or --pid P"});
  const std::string path = options.journal.empty() ? globals.config.coordinator.journal_path : options.journal;
  auto records = coord::Journal::read(path);
  if (!records) return report(records.error());
  auto journal = coord::Journal::open(path);
  if (!journal) return report(journal.error());
  const auto pending = coord::pending_actions(*records, options.pid);
  if (pending.empty()) {
    fmt::print("revert: nothing to undo in {}{}\n", path, options.pid ? fmt::format(" for pid {}", options.pid) : "");
    return 0;
  }
  int failed = 0, left = 0;
  for (const auto& intent : pending) {
    const auto outcome = coord::revert_action(intent, *journal, options.memory,
                                              coord::migration_pace_from(globals.config.coordinator));
    const bool memory_left = !outcome.ok && !options.memory && intent.value("kind", "") == "memory";
    fmt::print("revert: {}: {}\n", outcome.ok ? "done" : (memory_left ? "left" : "failed"), outcome.line);
    if (memory_left) ++left;
    else if (!outcome.ok) ++failed;
  }
  fmt::print("revert: {} action(s) undone, {} left (memory), {} failed\n", pending.size() - failed - left, left, failed);
  return failed ? 1 : 0;
}

}  // namespace

void register_revert_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "revert", "Undo the coordinator's journaled actions: thread affinities, cpusets, and memory with --memory");
  static RevertOptions options;
  sub->add_flag("--all", options.all, "Undo every action still in effect");
  sub->add_option("--pid", options.pid, "Undo the actions on this process only")->check(CLI::Range(1, 1 << 22));
  sub->add_flag("--memory", options.memory, "Also move migrated memory back to the nodes it came from");
  sub->add_option("--journal", options.journal, "Journal file (default: coordinator.journal_path)");
  GlobalOptions& globals = context.globals();
  context.on_run(sub, [&globals] { return revert(globals, options); });
}

}  // namespace aurora::cli
