#include "dashboard/snapshot_pump.hpp"

#include "dashboard/snapshot_window.hpp"

namespace aurora::dashboard {

SnapshotPump::SnapshotPump(SnapshotSource& source)
    : source_(source), thread_([this] { run(); }) {}

SnapshotPump::~SnapshotPump() {
  source_.request_stop();
  thread_.join();
}

void SnapshotPump::run() {
  while (true) {
    auto next = source_.next();
    std::lock_guard lock(mutex_);
    if (!next) {
      error_ = next.error();
      ended_ = true;
      return;
    }
    if (!next->has_value()) {
      ended_ = true;
      return;
    }
    Snapshot snapshot = std::move(**next);
    if (pending_) merge_older_into(snapshot, *pending_);
    pending_ = std::move(snapshot);
  }
}

std::optional<Snapshot> SnapshotPump::take() {
  std::lock_guard lock(mutex_);
  std::optional<Snapshot> out = std::move(pending_);
  pending_.reset();
  return out;
}

bool SnapshotPump::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

std::optional<Error> SnapshotPump::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace aurora::dashboard
