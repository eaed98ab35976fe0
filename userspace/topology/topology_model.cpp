// Topology's accessors and its JSON form (the contract of `topology --json` and recordings).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/topology.hpp"

namespace aurora {

using nlohmann::json;

const NodeInfo* Topology::node(int id) const {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), id,
                             [](const NodeInfo& n, int wanted) { return n.id < wanted; });
  return it != nodes.end() && it->id == id ? &*it : nullptr;
}

int Topology::node_of_cpu(int cpu) const {
  auto it = std::lower_bound(cpus.begin(), cpus.end(), cpu,
                             [](const CpuInfo& c, int wanted) { return c.id < wanted; });
  return it != cpus.end() && it->id == cpu ? it->node : -1;
}

int Topology::distance(int from, int to) const {
  if (const NodeInfo* n = node(from)) {
    if (auto it = n->distances.find(to); it != n->distances.end()) return it->second;
  }
  return from == to ? 10 : 0;
}

namespace {

json size_map_to_json(const std::map<std::uint64_t, std::uint64_t>& m) {
  json out = json::object();
  for (const auto& [size, count] : m) out[std::to_string(size)] = count;
  return out;
}

std::map<std::uint64_t, std::uint64_t> size_map_from_json(const json& in) {
  std::map<std::uint64_t, std::uint64_t> out;
  for (const auto& [key, value] : in.items()) out[std::stoull(key)] = value.get<std::uint64_t>();
  return out;
}

}  // namespace

void to_json(json& out, const Topology& t) {
  json nodes = json::array();
  for (const NodeInfo& n : t.nodes) {
    json distances = json::object();
    for (const auto& [to, d] : n.distances) distances[std::to_string(to)] = d;
    nodes.push_back({{"id", n.id},
                     {"cpus", n.cpus},
                     {"memory_total_bytes", n.memory_total_bytes},
                     {"memory_free_bytes", n.memory_free_bytes},
                     {"distances", distances},
                     {"memory_kind", n.memory_kind},
                     {"hugepages_total", size_map_to_json(n.hugepages_total)},
                     {"hugepages_free", size_map_to_json(n.hugepages_free)}});
  }
  json cpus = json::array();
  for (const CpuInfo& c : t.cpus)
    cpus.push_back({{"id", c.id},
                    {"node", c.node},
                    {"package", c.package},
                    {"core", c.core},
                    {"llc", c.llc},
                    {"smt_siblings", c.smt_siblings}});
  json llcs = json::array();
  for (const LlcGroup& l : t.llc_groups)
    llcs.push_back({{"id", l.id}, {"cpus", l.cpus}, {"size_bytes", l.size_bytes}});
  json devices = json::array();
  for (const PciDevice& d : t.devices)
    devices.push_back(
        {{"address", d.address}, {"kind", d.kind}, {"class", d.class_code}, {"node", d.node}});
  out = {{"nodes", nodes}, {"cpus", cpus}, {"llc_groups", llcs}, {"devices", devices}};
}

Result<Topology> topology_from_json(const json& in) {
  try {
    Topology t;
    for (const json& n : in.at("nodes")) {
      NodeInfo node;
      node.id = n.at("id").get<int>();
      node.cpus = n.at("cpus").get<std::vector<int>>();
      node.memory_total_bytes = n.at("memory_total_bytes").get<std::uint64_t>();
      node.memory_free_bytes = n.at("memory_free_bytes").get<std::uint64_t>();
      for (const auto& [to, d] : n.at("distances").items()) node.distances[std::stoi(to)] = d.get<int>();
      node.memory_kind = n.value("memory_kind", "");
      if (n.contains("hugepages_total")) node.hugepages_total = size_map_from_json(n.at("hugepages_total"));
      if (n.contains("hugepages_free")) node.hugepages_free = size_map_from_json(n.at("hugepages_free"));
      t.nodes.push_back(std::move(node));
    }
    if (in.contains("cpus"))
      for (const json& c : in.at("cpus"))
        t.cpus.push_back({c.at("id").get<int>(), c.at("node").get<int>(), c.value("package", -1),
                          c.value("core", -1), c.value("llc", -1),
                          c.value("smt_siblings", std::vector<int>{})});
    if (in.contains("llc_groups"))
      for (const json& l : in.at("llc_groups"))
        t.llc_groups.push_back({l.at("id").get<int>(), l.at("cpus").get<std::vector<int>>(),
                                l.value("size_bytes", std::uint64_t{0})});
    if (in.contains("devices"))
      for (const json& d : in.at("devices"))
        t.devices.push_back({d.at("address").get<std::string>(), d.value("kind", "other"),
                             d.value("class", ""), d.value("node", -1)});
    // Older or hand-written topologies may list CPUs only per node.
    if (t.cpus.empty())
      for (const NodeInfo& n : t.nodes)
        for (int cpu : n.cpus) t.cpus.push_back({cpu, n.id, -1, -1, -1, {cpu}});
    std::sort(t.nodes.begin(), t.nodes.end(), [](auto& a, auto& b) { return a.id < b.id; });
    std::sort(t.cpus.begin(), t.cpus.end(), [](auto& a, auto& b) { return a.id < b.id; });
    return t;
  } catch (const std::exception& e) {
    return fail(ErrorKind::kBadInput, fmt::format("topology record is malformed: {}", e.what()));
  }
}

}  // namespace aurora
