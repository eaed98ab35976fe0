#include "stop_signals.hpp"

#include <atomic>

namespace aurora::cli {

namespace {

std::atomic<SnapshotSource*> g_source{nullptr};
std::atomic<bool> g_requested{false};

void on_signal(int) {
  g_requested.store(true);
  // LivePipeline::request_stop is async-signal-safe (an atomic store and an eventfd write).
  if (SnapshotSource* source = g_source.load()) source->request_stop();
}

}  // namespace

bool StopOnSignals::requested() { return g_requested.load(); }

StopOnSignals::StopOnSignals(SnapshotSource& source) {
  g_requested.store(false);
  g_source.store(&source);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

StopOnSignals::~StopOnSignals() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  g_source.store(nullptr);
}

}  // namespace aurora::cli
