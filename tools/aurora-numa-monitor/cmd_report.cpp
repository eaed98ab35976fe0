// `aurora-numa-monitor report --replay FILE`: the performance report over a recording:
// efficiency score, estimated cross-node traffic, findings, recommendations.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/coordinator/coordinator_config.hpp"
#include "aurora/coordinator/performance_report.hpp"
#include "aurora/recording.hpp"
#include "command.hpp"

namespace aurora::cli {

namespace {

struct ReportOptions {
  std::string replay;
  bool json = false;
};

int print_report(GlobalOptions& globals, const ReportOptions& options) {
  if (options.replay.empty())
    return report({ErrorKind::kUnsupported,
                   "a live report needs the BPF pipeline, which this build does not include yet; report on a "
                   "recording with --replay FILE"});
  auto source = ReplaySource::open(options.replay);
  if (!source) return report(source.error());
  std::vector<Snapshot> snapshots;
  for (;;) {
    auto next = (*source)->next();
    if (!next) return report(next.error());
    if (!*next) break;
    snapshots.push_back(std::move(**next));
  }
  if (snapshots.empty()) return report({ErrorKind::kBadInput, fmt::format("{}: the recording holds no snapshots", options.replay)});
  const auto r = coord::build_report((*source)->topology(), snapshots, coord::policy_config_from(globals.config.coordinator));
  if (options.json) {
    nlohmann::json out = {{"seconds", r.seconds},
                          {"snapshots", r.snapshots},
                          {"efficiency_score", r.efficiency_score},
                          {"remote_cpu_seconds", r.remote_cpu_seconds},
                          {"remote_fault_pages_per_second", r.remote_fault_pages_per_second}};
    out["findings"] = nlohmann::json::array();
    for (const auto& f : r.findings)
      out["findings"].push_back({{"pid", f.pid}, {"comm", f.comm}, {"cpu_seconds", f.cpu_seconds}, {"locality", f.locality},
                                 {"source", f.source}, {"placement", f.placement}});
    out["recommendations"] = nlohmann::json::array();
    for (const auto& d : r.recommendations.decisions)
      out["recommendations"].push_back({{"pids", d.pids}, {"action", coord::to_string(d.action)}, {"target_nodes", d.target_nodes},
                                        {"remote_share_before", d.remote_share_before}, {"remote_share_after", d.remote_share_after},
                                        {"expected_net_gain_cpu_seconds", d.estimate.net_gain_seconds()},
                                        {"bytes_to_migrate", d.bytes_to_migrate}, {"summary", d.summary}, {"evidence", d.evidence}});
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("performance report: {} snapshot(s) over {:.1f} s\n", r.snapshots, r.seconds);
  fmt::print("efficiency score: {:.1f} / 100 (CPU-weighted locality)\n", r.efficiency_score);
  fmt::print("cross-node traffic (estimated): {:.1f} CPU-s run against remote memory; {:.0f} sampled remote accesses/s "
             "(~{:.1f} MiB/s at 4 KiB each)\n",
             r.remote_cpu_seconds, r.remote_fault_pages_per_second, r.remote_fault_pages_per_second * 4096 / 1048576);
  fmt::print("findings ({}):\n", r.findings.size());
  for (const auto& f : r.findings)
    fmt::print("  pid {} ({}): {:.0f}% local over {:.1f} CPU-s [{}]; {}\n", f.pid, f.comm, f.locality * 100, f.cpu_seconds,
               f.source, f.placement);
  fmt::print("recommendations ({}):\n", r.recommendations.decisions.size());
  for (const auto& d : r.recommendations.decisions) {
    fmt::print("  {}\n", d.summary);
    for (const auto& e : d.evidence) fmt::print("      {}\n", e);
  }
  for (const auto& s : r.recommendations.skipped) fmt::print("  left: pid {} ({}): {}\n", s.pid, s.comm, s.reason);
  return 0;
}

}  // namespace

void register_report_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "report", "Performance report: efficiency score, cross-node traffic, findings and recommendations");
  static ReportOptions options;
  sub->add_option("--replay", options.replay, "Report on a recording (`record`)");
  sub->add_flag("--json", options.json, "Print JSON");
  GlobalOptions& globals = context.globals();
  context.on_run(sub, [&globals] { return print_report(globals, options); });
}

}  // namespace aurora::cli
