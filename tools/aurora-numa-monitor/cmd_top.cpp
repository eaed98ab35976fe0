// `aurora-numa-monitor top`: the locality dashboard (docs/dashboard.md), over a SnapshotSource.
// This build shows recordings (--replay, no root); live mode arrives with the BPF pipeline.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "aurora/recording.hpp"
#include "command.hpp"
#include "dashboard/dashboard_app.hpp"

namespace aurora::cli {

namespace {

struct TopOptions {
  std::string replay_path;
  bool batch = false;
  int iterations = 0;
  double interval_seconds = 0;
  bool no_colour = false;
  int width = 0;
  std::string view = "processes";
  std::string sort;
  std::string filter;
};

Result<dashboard::View> parse_view(const std::string& name) {
  if (name == "processes") return dashboard::View::kProcesses;
  if (name == "cgroups") return dashboard::View::kCgroups;
  if (name == "nodes") return dashboard::View::kNodes;
  if (name == "coordinator") return dashboard::View::kCoordinator;
  return fail(ErrorKind::kBadInput,
              fmt::format("top --view {}: unknown view; use processes, cgroups, nodes or "
                          "coordinator (threads: select a process interactively)",
                          name));
}

Result<void> check_sort(const TopOptions& o, dashboard::View view) {
  if (o.sort.empty()) return {};
  const auto ids = dashboard::sortable_columns(view, {0});
  // Per-node memory columns are "mem<node id>" for whatever nodes the source has.
  const bool per_node = o.sort.size() > 3 && o.sort.rfind("mem", 0) == 0 &&
                        o.sort.find_first_not_of("0123456789", 3) == std::string::npos;
  if (per_node || std::find(ids.begin(), ids.end(), o.sort) != ids.end()) return {};
  return fail(ErrorKind::kBadInput,
              fmt::format("top --sort {}: not a column of the {} view; use one of: {}", o.sort,
                          o.view, fmt::join(ids, ", ")));
}

int run_top(const TopOptions& o) {
  auto view = parse_view(o.view);
  if (!view) return report(view.error());
  if (auto ok = check_sort(o, *view); !ok) return report(ok.error());
  if (o.replay_path.empty())
    return report(Error{ErrorKind::kUnsupported,
                        "top: live mode needs the BPF pipeline, which this build does not include "
                        "yet; show a recording with `top --replay FILE`"});
  dashboard::DashboardOptions options;
  if (o.interval_seconds > 0) options.interval_seconds = o.interval_seconds;
  options.iterations = o.iterations;
  options.colour = !o.no_colour && std::getenv("NO_COLOR") == nullptr;
  options.batch_width = o.width;
  options.view = *view;
  options.filter = o.filter;
  options.sort_column = o.sort;

  auto replay = ReplaySource::open(o.replay_path);
  if (!replay) return report(replay.error());
  options.source_label = "replay " + o.replay_path;
  std::unique_ptr<SnapshotSource> source = std::move(*replay);
  const bool batch = o.batch || !dashboard::terminal_is_interactive();
  auto done = batch ? dashboard::run_batch(*source, options, stdout)
                    : dashboard::run_interactive(*source, options);
  if (!done) return report(done.error());
  return 0;
}

}  // namespace

void register_top_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "top", "Locality dashboard: where processes and threads run and where their memory "
             "lives, per node, process, thread and cgroup (keys: h for help)");
  static TopOptions options;
  sub->add_option("--replay", options.replay_path,
                  "Show a recording (from `record`) instead of the live system; needs no root");
  sub->add_flag("--batch,-b", options.batch,
                "Plain-text snapshots on stdout, like `top -b` (the default when stdout is not "
                "a terminal or TERM=dumb)");
  sub->add_option("--iterations,-n", options.iterations,
                  "Batch mode: print this many snapshots, then exit (0: until the source ends)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--interval,-d", options.interval_seconds,
                  "Seconds between refreshes (default: the recording's interval)")
      ->check(CLI::Range(0.1, 3600.0));
  sub->add_flag("--no-color,--no-colour", options.no_colour,
                "No colours (poor locality is still marked: '!' below 50%, '?' below 80%); "
                "NO_COLOR in the environment does the same");
  sub->add_option("--width", options.width, "Batch mode: line width (default $COLUMNS or 200)")
      ->check(CLI::Range(40, 1000));
  sub->add_option("--view", options.view,
                  "Starting view: processes, cgroups, nodes or coordinator")
      ->capture_default_str();
  sub->add_option("--sort", options.sort,
                  "Sort column id (pid, comm, cpu, mem, locality, remote, nodemig, threads, ...)");
  sub->add_option("--filter", options.filter,
                  "Filter as typed after '/': text, node:N or cg:TEXT");
  context.on_run(sub, [] { return run_top(options); });
}

}  // namespace aurora::cli
