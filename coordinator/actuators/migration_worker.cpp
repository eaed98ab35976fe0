#include "migration_worker.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "aurora/cpu_list.hpp"

namespace aurora::coord {

MigrationWorker::MigrationWorker(Migrate migrate)
    : migrate_(std::move(migrate)), thread_([this](const std::stop_token& token) { run(token); }) {}

MigrationWorker::~MigrationWorker() { (void)stop(); }

bool MigrationWorker::submit(Request request) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || running_ == request.pid ||
        std::any_of(queued_.begin(), queued_.end(), [&](const Request& r) { return r.pid == request.pid; }))
      return false;
    queued_.push_back(std::move(request));
  }
  wake_.notify_one();
  return true;
}

std::set<int> MigrationWorker::busy() const {
  std::lock_guard lock(mutex_);
  std::set<int> pids;
  for (const Request& r : queued_) pids.insert(r.pid);
  if (running_) pids.insert(*running_);
  return pids;
}

std::vector<ActionOutcome> MigrationWorker::take_finished() {
  std::lock_guard lock(mutex_);
  return std::exchange(finished_, {});
}

std::vector<ActionOutcome> MigrationWorker::stop() {
  std::vector<ActionOutcome> dropped;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (const Request& r : queued_)
      dropped.push_back({false,
                         fmt::format("pid {}: page migration to node {} not started: the coordinator stopped first",
                                     r.pid, format_cpu_list(r.nodes)),
                         r.pid});
    queued_.clear();
  }
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  std::vector<ActionOutcome> out = take_finished();
  out.insert(out.end(), dropped.begin(), dropped.end());
  return out;
}

void MigrationWorker::run(const std::stop_token& token) {
  for (;;) {
    Request request;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, token, [&] { return !queued_.empty(); })) return;
      request = std::move(queued_.front());
      queued_.pop_front();
      running_ = request.pid;
    }
    ActionOutcome outcome = migrate_(request, [&token] { return token.stop_requested(); });
    outcome.pid = request.pid;
    std::lock_guard lock(mutex_);
    running_.reset();
    finished_.push_back(std::move(outcome));
  }
}

}  // namespace aurora::coord
