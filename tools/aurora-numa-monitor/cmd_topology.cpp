// `aurora-numa-monitor topology`: the machine's NUMA layout in one screen (what `numactl -H`
// and `lstopo` tell together), as JSON, or captured into a directory for a bug report.
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aurora/cpu_list.hpp"
#include "aurora/host_capture.hpp"
#include "aurora/topology.hpp"
#include "command.hpp"

namespace aurora::cli {

namespace {

std::string human_bytes(std::uint64_t bytes) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string hugepages_text(const NodeInfo& node) {
  std::string out;
  for (const auto& [size, total] : node.hugepages_total) {
    if (total == 0) continue;
    const auto free = node.hugepages_free.count(size) ? node.hugepages_free.at(size) : 0;
    if (!out.empty()) out += ", ";
    out += fmt::format("{}x{} ({} free)", total, human_bytes(size), free);
  }
  return out.empty() ? "-" : out;
}

void print_summary(const Topology& t) {
  std::set<int> packages;
  std::set<std::pair<int, int>> cores;
  for (const CpuInfo& c : t.cpus) {
    packages.insert(c.package);
    cores.insert({c.package, c.core});
  }
  const size_t threads_per_core = t.cpus.empty() ? 0 : t.cpus.front().smt_siblings.size();
  fmt::print("{} NUMA node{}, {} online CPU{} ({} package{}, {} cores, {} thread{} per core), "
             "{} LLC group{}\n\n",
             t.nodes.size(), t.nodes.size() == 1 ? "" : "s", t.cpus.size(),
             t.cpus.size() == 1 ? "" : "s", packages.size(), packages.size() == 1 ? "" : "s",
             cores.size(), threads_per_core, threads_per_core == 1 ? "" : "s",
             t.llc_groups.size(), t.llc_groups.size() == 1 ? "" : "s");

  fmt::print("{:>4}  {:<6} {:>11} {:>11}  {:<24} {}\n", "node", "kind", "memory", "free", "cpus",
             "hugepages");
  for (const NodeInfo& n : t.nodes)
    fmt::print("{:>4}  {:<6} {:>11} {:>11}  {:<24} {}\n", n.id,
               n.memory_kind.empty() ? "?" : n.memory_kind, human_bytes(n.memory_total_bytes),
               human_bytes(n.memory_free_bytes),
               n.cpuless() ? "(none: memory only)" : format_cpu_list(n.cpus), hugepages_text(n));

  fmt::print("\nnode distances (SLIT, 10 = local):\n{:>4}", "node");
  for (const NodeInfo& to : t.nodes) fmt::print(" {:>4}", to.id);
  fmt::print("\n");
  for (const NodeInfo& from : t.nodes) {
    fmt::print("{:>4}", from.id);
    for (const NodeInfo& to : t.nodes) fmt::print(" {:>4}", t.distance(from.id, to.id));
    fmt::print("\n");
  }

  fmt::print("\nlast-level cache groups:\n");
  if (t.llc_groups.empty()) fmt::print("  (the kernel exposes no cache information here)\n");
  for (const LlcGroup& g : t.llc_groups) {
    std::set<int> on_nodes;
    for (int cpu : g.cpus) on_nodes.insert(t.node_of_cpu(cpu));
    std::vector<int> node_list(on_nodes.begin(), on_nodes.end());
    fmt::print("  llc {:<3} {:>10}  node {:<5} cpus {}\n", g.id, human_bytes(g.size_bytes),
               format_cpu_list(node_list), format_cpu_list(g.cpus));
  }

  std::map<std::pair<int, std::string>, std::vector<std::string>> devices;
  for (const PciDevice& d : t.devices)
    if (d.kind != "other") devices[{d.node, d.kind}].push_back(d.address);
  fmt::print("\nPCI devices by node (network, storage, gpu, accelerator):\n");
  if (devices.empty()) fmt::print("  (none)\n");
  for (const auto& [key, addresses] : devices)
    fmt::print("  node {:<3} {:<12} {}\n", key.first < 0 ? "?" : std::to_string(key.first),
               key.second, fmt::join(addresses, " "));
  bool any_unknown = false;
  for (const auto& [key, addresses] : devices) any_unknown |= key.first < 0;
  if (any_unknown) fmt::print("  (node ? = the firmware gives these devices no NUMA node)\n");
}

}  // namespace

void register_topology_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "topology",
      "Show NUMA nodes, CPUs, memory, distances, last-level caches and PCI devices");
  sub->footer(
      "Reads /sys (under --root when given). --capture DIR copies exactly the files read into "
      "DIR, so `aurora-numa-monitor --root DIR topology` shows the same topology elsewhere "
      "(attach DIR to a bug report). See docs/topology.md.");
  static bool as_json = false;
  static std::string capture_dir;
  sub->add_flag("--json", as_json,
                "Print JSON: {\"nodes\":[{\"id\",\"cpus\",\"memory_total_bytes\","
                "\"memory_free_bytes\",\"distances\",...}],\"cpus\",\"llc_groups\",\"devices\"}");
  sub->add_option("--capture", capture_dir,
                  "Also copy the files read into DIR (new or empty) for replay with --root DIR");
  context.on_run(sub, [&globals = context.globals()] {
    HostRoot root = globals.host_root();
    std::optional<HostCapture> capture;
    if (!capture_dir.empty()) capture.emplace(root);

    const auto started = std::chrono::steady_clock::now();
    auto topology = read_topology(root);
    if (!topology) return report(topology.error());
    spdlog::debug("topology read in {} us",
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count());

    if (capture) {
      auto written = capture->write_to(capture_dir);
      if (!written) return report(written.error());
      spdlog::info("captured {} files into {}; replay with: aurora-numa-monitor --root {} topology",
                   *written, capture_dir, capture_dir);
    }
    if (as_json) {
      nlohmann::json out = *topology;
      fmt::print("{}\n", out.dump(2));
    } else {
      print_summary(*topology);
    }
    return 0;
  });
}

}  // namespace aurora::cli
