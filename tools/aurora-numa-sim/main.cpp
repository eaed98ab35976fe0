// aurora-numa-sim: runs placement policies (none, numad-like, AutoNUMA-like, aurora) on a
// modelled NUMA machine and compares them. The aurora policy is the coordinator's own code
// (aurora_coordinator), not a copy. docs/simulator.md describes the model and the baselines.
#include <cstdio>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/config.hpp"
#include "aurora/recording.hpp"
#include "aurora/coordinator/coordinator_config.hpp"
#include "aurora/coordinator/sim.hpp"
#include "aurora/coordinator/sim_shapes.hpp"
#include "aurora/topology.hpp"

namespace {

using namespace aurora;
using namespace aurora::coord;

int fail_with(const Error& error) {
  std::fprintf(stderr, "aurora-numa-sim: %s\n", error.message.c_str());
  return exit_code_for(error.kind);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string share_at(const sim::SimResult& r, double t) {
  for (const auto& s : r.samples)
    if (s.time_seconds >= t) return fmt::format("{:.1f}%", s.remote_share * 100);
  return "-";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "aurora-numa-sim: a discrete-time NUMA machine model comparing placement policies.\n"
      "Policies: none, numad (numad.c's algorithm), autonuma (the kernel's NUMA balancing),\n"
      "aurora (the coordinator's policy, same code), aurora+autonuma. Deterministic for a seed.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input."};
  std::string shapes = "8";
  std::string topology_file;
  std::string root_dir;
  std::string policies = "none,numad,autonuma,aurora,aurora+autonuma";
  std::string config_path;
  std::string record_path;
  bool as_json = false, with_samples = false, list = false, show_notes = false;
  sim::SimConfig config;
  app.add_option("--shape", shapes, "Built-in machine shapes, comma-separated (see --list)")->capture_default_str();
  app.add_option("--root", root_dir,
                 "Read the topology from a sysfs tree under this directory (`/` for this machine, or a capture)");
  app.add_option("--topology", topology_file,
                 "A topology JSON file (`aurora-numa-monitor topology --json`) instead of --shape");
  app.add_option("--policy", policies, "Policies to run, comma-separated")->capture_default_str();
  app.add_option("--workload", config.workload, "Workload (see --list)")->capture_default_str();
  app.add_option("--seed", config.seed, "Random seed; same seed, same result")->capture_default_str();
  app.add_option("--duration", config.duration_seconds, "Simulated seconds")->capture_default_str()->check(CLI::Range(1.0, 86400.0));
  app.add_option("--aurora-interval", config.aurora_interval_seconds, "aurora's policy interval in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--config", config_path, "TOML file whose [coordinator] table configures aurora (docs/coordinator.md)");
  app.add_option("--record", record_path,
                 "Write the modelled pipeline snapshots (1 per second) as a recording for `aurora-numa-monitor "
                 "run/report --replay`; one shape and one of none, numad, autonuma");
  app.add_flag("--json", as_json, "Print one JSON object per run, in an array");
  app.add_flag("--samples", with_samples, "With --json: include the per-second remote share series");
  app.add_flag("--notes", show_notes, "Print each policy's actions (binds, decisions, freezes)");
  app.add_flag("--list", list, "List the built-in shapes and workloads");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (list) {
      fmt::print("shapes:\n");
      for (const auto& [name, what] : shape_catalogue()) fmt::print("  {:<8} {}\n", name, what);
      fmt::print("workloads:\n");
      for (const auto& [name, what] : sim::workload_catalogue()) fmt::print("  {:<10} {}\n", name, what);
      return 0;
    }
    if (!config_path.empty()) {
      auto loaded = load_config(config_path);
      if (!loaded) return fail_with(loaded.error());
      config.aurora = policy_config_from(loaded->coordinator);
      config.aurora_interval_seconds = loaded->coordinator.interval_seconds;
    }
    std::vector<std::pair<std::string, Topology>> machines;
    if (!root_dir.empty()) {
      auto topology = read_topology(HostRoot(root_dir));
      if (!topology) return fail_with(topology.error());
      machines.emplace_back(root_dir, std::move(*topology));
    } else if (!topology_file.empty()) {
      std::ifstream in(topology_file);
      if (!in) return fail_with({ErrorKind::kNotFound, fmt::format("topology file {}: cannot open", topology_file)});
      nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
      if (doc.is_discarded())
        return fail_with({ErrorKind::kBadInput, fmt::format("topology file {}: not valid JSON", topology_file)});
      auto topology = topology_from_json(doc);
      if (!topology) return fail_with(topology.error());
      machines.emplace_back(topology_file, std::move(*topology));
    } else {
      for (const std::string& name : split(shapes)) {
        auto topology = make_shape(name);
        if (!topology) return fail_with(topology.error());
        machines.emplace_back(name, std::move(*topology));
      }
    }
    std::vector<sim::PolicyKind> kinds;
    for (const std::string& name : split(policies)) {
      auto kind = sim::parse_policy(name);
      if (!kind) return fail_with(kind.error());
      kinds.push_back(*kind);
    }
    if (machines.empty() || kinds.empty())
      return fail_with({ErrorKind::kBadInput, "nothing to run: give at least one --shape and one --policy"});

    std::optional<RecordingWriter> writer;
    Result<void> record_status;
    if (!record_path.empty()) {
      if (machines.size() != 1 || kinds.size() != 1)
        return fail_with({ErrorKind::kBadInput, "--record needs exactly one shape and one policy"});
      RecordingHeader header;
      header.aurora_version = "aurora-numa-sim";
      header.topology = machines.front().second;
      header.options = {{"simulated", true}, {"workload", config.workload}, {"seed", config.seed}};
      auto created = RecordingWriter::create(record_path, header);
      if (!created) return fail_with(created.error());
      writer.emplace(std::move(*created));
      config.on_snapshot = [&](const Snapshot& s) {
        if (record_status) record_status = writer->append(s);
      };
    }
    nlohmann::json all = nlohmann::json::array();
    if (!as_json)
      fmt::print("{:<8} {:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>10} {:>8} {:>7} {:>9}\n", "shape", "policy",
                 "remote", "@30s", "@120s", "final", "latency", "t90%", "pages", "threads", "actions", "imbalance");
    for (const auto& [name, topology] : machines) {
      for (sim::PolicyKind kind : kinds) {
        auto result = sim::run_simulation(topology, name, kind, config);
        if (!result) return fail_with(result.error());
        if (as_json) {
          nlohmann::json one;
          to_json(one, *result);
          if (!with_samples) one.erase("samples");
          if (!show_notes) one.erase("notes");
          all.push_back(std::move(one));
        } else {
          const auto& r = *result;
          fmt::print("{:<8} {:<16} {:>7.1f}% {:>8} {:>8} {:>7.1f}% {:>8.3f} {:>7} {:>10} {:>8} {:>7} {:>9.3f}\n", r.shape,
                     r.policy, r.mean_remote_share * 100, share_at(r, 30), share_at(r, 120), r.final_remote_share * 100,
                     r.mean_weighted_distance,
                     r.time_to_90_local_seconds < 0 ? std::string("never") : fmt::format("{:.0f}s", r.time_to_90_local_seconds),
                     r.pages_migrated, r.thread_moves, r.policy_actions, r.mean_load_imbalance);
          if (show_notes)
            for (const auto& note : r.notes) fmt::print("    {}\n", note);
        }
      }
    }
    if (!record_status) return fail_with(record_status.error());
    if (as_json) fmt::print("{}\n", all.dump(2));
    else
      fmt::print("workload {}, seed {}, {:.0f} s; remote = access-weighted remote share integrated over the run, "
                 "latency = mean relative access latency (1.000 = all local)\n",
                 config.workload, config.seed, config.duration_seconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aurora-numa-sim: internal error: %s\n", e.what());
    return 1;
  }
}
