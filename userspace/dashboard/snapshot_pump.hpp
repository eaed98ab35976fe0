// Keeps a blocking SnapshotSource (the live pipeline: next() waits a whole interval) off the
// dashboard's input loop: a thread pulls snapshots and merges them into one pending window,
// which each refresh takes. Keys stay responsive and a refresh interval longer than the
// pipeline's sums several intervals (snapshot_window.hpp) instead of dropping any.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "aurora/snapshot_source.hpp"

namespace aurora::dashboard {

class SnapshotPump {
 public:
  explicit SnapshotPump(SnapshotSource& source);
  // Asks the source to stop and joins the thread.
  ~SnapshotPump();
  SnapshotPump(const SnapshotPump&) = delete;
  SnapshotPump& operator=(const SnapshotPump&) = delete;

  // Everything that arrived since the last take(), merged; nullopt when nothing did.
  std::optional<Snapshot> take();
  // Set once the source has ended or failed; the error, when it failed.
  bool ended() const;
  std::optional<Error> error() const;

 private:
  void run();

  SnapshotSource& source_;
  mutable std::mutex mutex_;
  std::optional<Snapshot> pending_;
  bool ended_ = false;
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace aurora::dashboard
