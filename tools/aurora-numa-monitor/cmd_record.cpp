// `aurora-numa-monitor record --output FILE [--interval S] [--duration S]`: JSON lines, a
// header then one snapshot per interval, until the duration ends or SIGINT/SIGTERM.
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurora/pipeline.hpp"
#include "aurora/recording.hpp"
#include "aurora/version.hpp"
#include "command.hpp"
#include "scope_options.hpp"
#include "stop_signals.hpp"

namespace aurora::cli {

namespace {

struct RecordOptions {
  std::string output;
  double interval_seconds = 0;  // 0: the configuration's monitor.interval_seconds
  double duration_seconds = 0;  // 0: until interrupted
  bool bpf_stats = false;
  ScopeOptions scope;
};

}  // namespace

void register_record_command(CommandContext& context) {
  static RecordOptions options;
  CLI::App* sub = context.app().add_subcommand(
      "record", "Record snapshots to a JSON-lines file (replay it with `replay FILE`)");
  sub->add_option("--output,-o", options.output, "Recording file to create")->required();
  sub->add_option("--interval", options.interval_seconds,
                  "Seconds per snapshot (default: monitor.interval_seconds, 1)")
      ->check(CLI::Range(0.01, 3600.0));
  sub->add_option("--duration", options.duration_seconds,
                  "Stop after this many seconds (default: until Ctrl-C / SIGTERM)")
      ->check(CLI::Range(0.0, 31.0 * 86400));
  sub->add_flag("--bpf-stats", options.bpf_stats,
                "Enable kernel BPF statistics and record the monitor's per-program cost");
  add_scope_options(sub, options.scope);
  context.on_run(sub, [&context] {
    const HostRoot root = context.globals().host_root();
    auto scope = resolve_scope(options.scope, root);
    if (!scope) return report(scope.error());
    const double interval = options.interval_seconds > 0
                                ? options.interval_seconds
                                : context.globals().config.monitor.interval_seconds;
    PipelineOptions pipeline_options;
    pipeline_options.interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(interval));
    pipeline_options.scope = *scope;
    pipeline_options.bpf_stats = options.bpf_stats;
    auto pipeline = LivePipeline::start(root, pipeline_options);
    if (!pipeline) return report(pipeline.error());

    RecordingHeader header;
    header.aurora_version = std::string(kVersion);
    header.topology = (*pipeline)->topology();
    header.probes = (*pipeline)->probes();
    header.options = {{"interval_seconds", interval},
                      {"duration_seconds", options.duration_seconds},
                      {"scope", scope->description},
                      {"bpf_stats", options.bpf_stats}};
    auto writer = RecordingWriter::create(options.output, header);
    if (!writer) return report(writer.error());

    StopOnSignals stop(**pipeline);
    const auto started = std::chrono::steady_clock::now();
    long written = 0;
    while (true) {
      auto snapshot = (*pipeline)->next();
      if (!snapshot) return report(snapshot.error());
      if (!*snapshot) break;
      if (auto ok = writer->append(**snapshot); !ok) return report(ok.error());
      ++written;
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (options.duration_seconds > 0 && elapsed + interval / 2 >= options.duration_seconds)
        break;
    }
    spdlog::info("recorded {} snapshots to {}", written, options.output);
    return 0;
  });
}

}  // namespace aurora::cli
