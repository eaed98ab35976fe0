#include "node_memory.hpp"

#include <sstream>

#include <fmt/format.h>

namespace aurora::pipeline {

NodeMemory read_node_memory(const HostRoot& root, const std::vector<int>& nodes) {
  NodeMemory out;
  for (int node : nodes) {
    auto text = root.read_text(fmt::format("/sys/devices/system/node/node{}/meminfo", node));
    if (!text) continue;
    std::uint64_t total = 0, free = 0;
    std::istringstream lines(*text);
    std::string line;
    while (std::getline(lines, line)) {
      // "Node 0 MemTotal:       16318480 kB"
      std::istringstream fields(line);
      std::string word_node, id, key;
      std::uint64_t kib = 0;
      if (!(fields >> word_node >> id >> key >> kib)) continue;
      if (key == "MemTotal:") total = kib * 1024;
      if (key == "MemFree:") free = kib * 1024;
    }
    out[node] = {total, free};
  }
  return out;
}

}  // namespace aurora::pipeline
