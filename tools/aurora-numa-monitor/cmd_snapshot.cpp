// `aurora-numa-monitor snapshot --duration S [--json]`: one snapshot over S seconds.
#include <chrono>

#include "aurora/pipeline.hpp"
#include "command.hpp"
#include "scope_options.hpp"
#include "snapshot_printer.hpp"
#include "stop_signals.hpp"

namespace aurora::cli {

namespace {

struct SnapshotOptions {
  double duration_seconds = 1.0;
  bool json = false;
  bool bpf_stats = false;
  int limit = 25;
  ScopeOptions scope;
};

}  // namespace

void register_snapshot_command(CommandContext& context) {
  static SnapshotOptions options;
  CLI::App* sub = context.app().add_subcommand(
      "snapshot", "Observe for --duration seconds with eBPF, then print one snapshot");
  sub->add_option("--duration", options.duration_seconds, "Seconds to observe")
      ->check(CLI::Range(0.01, 86400.0))
      ->capture_default_str();
  sub->add_flag("--json", options.json, "Print the snapshot as JSON (docs/data-contract.md)");
  sub->add_flag("--bpf-stats", options.bpf_stats,
                "Enable kernel BPF statistics while running and report run_cnt/run_time_ns "
                "per program");
  sub->add_option("--limit", options.limit, "Text output: the busiest N processes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_scope_options(sub, options.scope);
  context.on_run(sub, [&context] {
    const HostRoot root = context.globals().host_root();
    auto scope = resolve_scope(options.scope, root);
    if (!scope) return report(scope.error());
    PipelineOptions pipeline_options;
    pipeline_options.interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(options.duration_seconds));
    pipeline_options.scope = std::move(*scope);
    pipeline_options.bpf_stats = options.bpf_stats;
    auto pipeline = LivePipeline::start(root, pipeline_options);
    if (!pipeline) return report(pipeline.error());
    StopOnSignals stop(**pipeline);
    auto snapshot = (*pipeline)->next();
    if (!snapshot) return report(snapshot.error());
    if (!*snapshot) return 1;
    print_snapshot(**snapshot, {options.json, options.limit}, stdout);
    return 0;
  });
}

}  // namespace aurora::cli
