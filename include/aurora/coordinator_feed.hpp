// What the dashboard (`top`) shows of the coordinator: its recent recommendations and actions,
// each with its reason, and the workload class it assigned to a process.
//
// The coordinator implements this when it runs in the same process as the dashboard; without
// one the dashboard shows "-" in the class and recommendation columns and says in the
// coordinator view that none is attached. The dashboard never invents an entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aurora/result.hpp"

namespace aurora {

struct CoordinatorEntry {
  enum class Kind { kRecommendation, kAction };

  std::uint64_t id = 0;            // stable id, passed back to apply()/revert()
  std::uint64_t timestamp_ns = 0;  // CLOCK_REALTIME when it was made
  Kind kind = Kind::kRecommendation;
  int pid = -1;                    // the process it concerns, -1 for a cgroup-wide entry
  std::string cgroup;              // the cgroup it concerns, or "" for a single process
  std::string state;               // "proposed", "applied", "reverted", "failed"
  std::string summary;             // short: "move to node 1", "interleave 0-1"
  std::string reason;              // why: the figures that triggered it
};

class CoordinatorFeed {
 public:
  virtual ~CoordinatorFeed() = default;
  // The newest entries first, at most `limit`.
  virtual std::vector<CoordinatorEntry> recent(std::size_t limit) const = 0;
  // The workload class the coordinator assigned to `pid` ("latency", "batch", ...), or "".
  virtual std::string workload_class(int pid) const = 0;
  // True when apply()/revert() act (the coordinator runs in this process with actuators on).
  virtual bool can_act() const = 0;
  virtual Result<void> apply(std::uint64_t id) = 0;
  virtual Result<void> revert(std::uint64_t id) = 0;
};

}  // namespace aurora
