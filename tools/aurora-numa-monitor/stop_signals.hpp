// SIGINT and SIGTERM ask a SnapshotSource to stop (its next() returns std::nullopt), so the
// command returns normally and every BPF link and map is released by its owner. One at a time.
#pragma once

#include <csignal>

#include "aurora/snapshot_source.hpp"

namespace aurora::cli {

class StopOnSignals {
 public:
  explicit StopOnSignals(SnapshotSource& source);
  ~StopOnSignals();  // restores the previous handlers
  StopOnSignals(const StopOnSignals&) = delete;
  // Whether SIGINT or SIGTERM arrived since this object was made (long actions poll it).
  static bool requested();
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace aurora::cli
