// Per-node MemTotal/MemFree now, from /sys/devices/system/node/nodeN/meminfo (read every
// interval; the topology's figures are from start-up). Internal.
#pragma once

#include <vector>

#include "aurora/host_root.hpp"
#include "aggregator.hpp"

namespace aurora::pipeline {

// Nodes whose meminfo is unreadable are left out.
NodeMemory read_node_memory(const HostRoot& root, const std::vector<int>& nodes);

}  // namespace aurora::pipeline
