// Where snapshots come from: the live pipeline, or a recording being replayed. The dashboard,
// `snapshot`, `record` and the coordinator consume this interface and do not care which.
#pragma once

#include <optional>

#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora {

class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  // The topology the snapshots describe (the live machine's, or the recorded machine's).
  virtual const Topology& topology() const = 0;
  // Blocks until the next interval ends (live) or returns the next record (replay).
  // std::nullopt means the source is exhausted (end of recording, or a stop was requested).
  virtual Result<std::optional<Snapshot>> next() = 0;
  // Asks a blocking next() to return early (signal handlers, the dashboard's quit key).
  virtual void request_stop() = 0;
};

}  // namespace aurora
