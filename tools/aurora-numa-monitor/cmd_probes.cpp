// `aurora-numa-monitor probes`: which BPF attach points this kernel allows, and why not.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/feature_probe.hpp"
#include "command.hpp"

namespace aurora::cli {

void register_probes_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "probes", "Check which BPF attach points (tracepoints, tp_btf, fentry) this kernel allows");
  static bool as_json = false;
  sub->add_flag("--json", as_json, "Print JSON: [{\"name\",\"active\",\"reason\"}]");
  context.on_run(sub, [] {
    const auto statuses = make_live_feature_probe()->probe();
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& s : statuses)
        out.push_back({{"name", s.name}, {"active", s.active}, {"reason", s.reason}});
      fmt::print("{}\n", out.dump(2));
    } else {
      for (const auto& s : statuses)
        fmt::print("{:<38} {:<8} {}\n", s.name, s.active ? "active" : "inactive", s.reason);
    }
    return 0;
  });
}

}  // namespace aurora::cli
