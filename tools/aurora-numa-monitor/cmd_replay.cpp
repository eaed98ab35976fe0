// `aurora-numa-monitor replay FILE [--json]`: a recording through the same printing as
// `snapshot`; needs no root and no BPF.
#include "aurora/recording.hpp"
#include "command.hpp"
#include "snapshot_printer.hpp"
#include "stop_signals.hpp"

namespace aurora::cli {

namespace {

struct ReplayOptions {
  std::string file;
  bool json = false;
  int limit = 25;
};

}  // namespace

void register_replay_command(CommandContext& context) {
  static ReplayOptions options;
  CLI::App* sub = context.app().add_subcommand(
      "replay", "Print the snapshots of a recording (from `record`), no root needed");
  sub->add_option("file", options.file, "Recording file")->required();
  sub->add_flag("--json", options.json, "Print each snapshot as one JSON line");
  sub->add_option("--limit", options.limit, "Text output: the busiest N processes")
      ->check(CLI::PositiveNumber);
  context.on_run(sub, [] {
    auto source = ReplaySource::open(options.file);
    if (!source) return report(source.error());
    StopOnSignals stop(**source);
    bool first = true;
    while (true) {
      auto snapshot = (*source)->next();
      if (!snapshot) return report(snapshot.error());
      if (!*snapshot) break;
      if (!options.json && !first) std::fputs("\n----\n", stdout);
      print_snapshot(**snapshot, {options.json, options.limit}, stdout);
      first = false;
    }
    return 0;
  });
}

}  // namespace aurora::cli
