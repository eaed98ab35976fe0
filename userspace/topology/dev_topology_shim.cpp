// DEV ONLY, NOT COMMITTED: minimal read_topology until branch topo lands.
#include <fmt/format.h>
#include "aurora/cpu_list.hpp"
#include "aurora/topology.hpp"
namespace aurora {
Result<Topology> read_topology(const HostRoot& root) {
  Topology t;
  auto online = root.read_line("/sys/devices/system/node/online");
  if (!online) return tl::unexpected(online.error());
  auto ids = parse_cpu_list(*online);
  std::vector<int> idv = *ids;
  for (int id : idv) {
    NodeInfo n; n.id = id;
    auto cl = parse_cpu_list(*root.read_line(fmt::format("/sys/devices/system/node/node{}/cpulist", id)));
    n.cpus = *cl;
    for (int c : n.cpus) { CpuInfo ci; ci.id = c; ci.node = id; ci.llc = 0; t.cpus.push_back(ci); }
    t.nodes.push_back(n);
  }
  return t;
}
}
