// How `snapshot` and `replay` print a Snapshot: a text report (nodes, the busiest processes,
// cgroups, the monitor's own cost) or the JSON of docs/data-contract.md.
#pragma once

#include <cstdio>

#include "aurora/snapshot.hpp"

namespace aurora::cli {

struct PrintOptions {
  bool json = false;
  int process_limit = 25;  // text only: the busiest N processes
};

void print_snapshot(const Snapshot& snapshot, const PrintOptions& options, std::FILE* out);

}  // namespace aurora::cli
