// PinnedWorkers: threads that keep touching a buffer from the CPUs of one node, and can all be
// moved to another node's CPUs mid-run (a phase change).
#pragma once

#include <sched.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "aurora/result.hpp"

namespace aurora::workload {

enum class Access {
  kPrivate,  // each thread touches its own slice of the buffer
  kShared,   // every thread touches the whole buffer
};

class PinnedWorkers {
 public:
  // Starts `threads` threads pinned to `cpus`, each writing one word per 4 KiB page of its part
  // of [data, data + bytes), pass after pass, until stop().
  static Result<std::unique_ptr<PinnedWorkers>> start(char* data, std::size_t bytes,
                                                      int threads, Access access,
                                                      const cpu_set_t& cpus);
  PinnedWorkers(const PinnedWorkers&) = delete;
  PinnedWorkers& operator=(const PinnedWorkers&) = delete;
  ~PinnedWorkers();

  // Every thread re-pins itself to `cpus` before its next pass.
  void move_to(const cpu_set_t& cpus);
  // Stops and joins; returns the first pinning error a thread hit, if any.
  Result<void> stop();
  // Passes over their part of the buffer, summed over threads.
  std::uint64_t passes() const;

 private:
  struct Worker {
    std::thread thread;
    std::atomic<std::uint64_t> passes{0};
    std::atomic<int> pin_errno{0};
  };
  PinnedWorkers(char* data, std::size_t bytes, Access access, const cpu_set_t& cpus, int threads);
  void run(std::size_t index);

  char* data_;
  std::size_t bytes_;
  Access access_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> placement_generation_{0};
  std::atomic<cpu_set_t*> target_cpus_;
  std::vector<std::unique_ptr<cpu_set_t>> cpu_sets_;  // every set ever published, kept alive
};

}  // namespace aurora::workload
