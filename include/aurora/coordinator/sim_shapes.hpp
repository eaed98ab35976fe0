// Built-in machine shapes for the simulator and the policy's tests: 2, 4, 8 and 16 nodes with
// realistic SLIT distances, and variants with a CPU-less memory node (CXL-style expansion).
#pragma once

#include <string>
#include <vector>

#include "aurora/result.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord {

// The shape names make_shape accepts, with a one-line description each.
std::vector<std::pair<std::string, std::string>> shape_catalogue();

// kBadInput naming the shape and the valid names when `name` is not one of them.
Result<Topology> make_shape(const std::string& name);

// A uniform shape: `nodes` nodes of `cpus_per_node` CPUs and `memory_per_node` bytes, local
// distance 10 and `remote_distance` between any two nodes (for tests).
Topology make_uniform_topology(int nodes, int cpus_per_node, unsigned long long memory_per_node,
                               int remote_distance = 21);

}  // namespace aurora::coord
