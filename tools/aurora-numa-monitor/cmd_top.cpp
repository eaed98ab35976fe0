// `aurora-numa-monitor top`: the locality dashboard (docs/dashboard.md). Live through the BPF
// pipeline (root), or a recording with --replay (no root); the same SnapshotSource either way.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "aurora/coordinator/coordinator_config.hpp"
#include "aurora/coordinator/dry_run_feed.hpp"
#include "aurora/pipeline.hpp"
#include "aurora/recording.hpp"
#include "command.hpp"
#include "dashboard/dashboard_app.hpp"
#include "scope_options.hpp"
#include "stop_signals.hpp"

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
  ScopeOptions scope;
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

int run_top(const TopOptions& o, GlobalOptions& globals) {
  auto view = parse_view(o.view);
  if (!view) return report(view.error());
  if (auto ok = check_sort(o, *view); !ok) return report(ok.error());
  if (!o.replay_path.empty() && o.scope.any())
    return report(Error{ErrorKind::kBadInput,
                        "top: --cgroup/--container/--pod/--pid choose what the live pipeline "
                        "observes; a recording holds what it recorded: use --filter (text, "
                        "node:N, cg:TEXT) to narrow its view"});
  dashboard::DashboardOptions options;
  if (o.interval_seconds > 0) options.interval_seconds = o.interval_seconds;
  options.iterations = o.iterations;
  options.colour = !o.no_colour && std::getenv("NO_COLOR") == nullptr;
  options.batch_width = o.width;
  options.view = *view;
  options.filter = o.filter;
  options.sort_column = o.sort;

  std::unique_ptr<SnapshotSource> source;
  if (!o.replay_path.empty()) {
    auto replay = ReplaySource::open(o.replay_path);
    if (!replay) return report(replay.error());
    options.source_label = "replay " + o.replay_path;
    source = std::move(*replay);
  } else {
    const HostRoot root = globals.host_root();
    auto scope = resolve_scope(o.scope, root);
    if (!scope) return report(scope.error());
    const double interval = o.interval_seconds > 0 ? o.interval_seconds
                                                   : globals.config.monitor.interval_seconds;
    PipelineOptions pipeline_options;
    pipeline_options.interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(interval));
    pipeline_options.scope = *scope;
    auto pipeline = LivePipeline::start(root, pipeline_options);
    if (!pipeline) return report(pipeline.error());
    options.source_label = scope->description.empty() ? "live" : "live " + scope->description;
    options.interval_seconds = interval;
    options.live = true;
    source = std::move(*pipeline);
  }
  // The coordinator's policy runs beside the view in dry-run mode: the CLASS and
  // RECOMMENDATION columns and the coordinator view show what `run` would recommend.
  const CoordinatorConfig& coordinator_config = globals.config.coordinator;
  coord::DryRunFeed feed(source->topology(), coord::policy_config_from(coordinator_config),
                         coordinator_config.interval_seconds);
  coord::ObservedSource observed(std::move(source), feed);
  const bool batch = o.batch || !dashboard::terminal_is_interactive();
  Result<void> done;
  if (batch) {
    StopOnSignals stop(observed);  // Ctrl-C ends a blocking next(); the loop then returns
    done = dashboard::run_batch(observed, options, stdout, &feed);
  } else {
    done = dashboard::run_interactive(observed, options, &feed);
  }
  if (!done) return report(done.error());
  return 0;
}

}  // namespace

void register_top_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "top", "Locality dashboard: where processes and threads run and where their memory "
             "lives, per node, process, thread and cgroup (live needs root; keys: h for help)");
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
                  "Seconds between refreshes (live: also the pipeline's interval; default "
                  "monitor.interval_seconds; replay: the recording's interval)")
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
  add_scope_options(sub, options.scope);
  context.on_run(sub, [&context] { return run_top(options, context.globals()); });
}

}  // namespace aurora::cli
