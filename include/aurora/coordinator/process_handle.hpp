// A process held by a pidfd and checked by its start time, so that an action meant for one
// process never lands on another that reused its pid.
#pragma once

#include <cstdint>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"
#include "aurora/unique_fd.hpp"

namespace aurora::coord {

struct ProcessIdentity {
  int pid = 0;
  std::uint64_t start_time = 0;  // /proc/PID/stat field 22, clock ticks since boot
  bool kernel_thread = false;    // PF_KTHREAD in field 9
};

// Reads the identity from /proc/PID/stat. kNotFound when the process does not exist.
Result<ProcessIdentity> read_identity(const HostRoot& root, int pid);
// Thread ids from /proc/PID/task.
Result<std::vector<int>> list_threads(const HostRoot& root, int pid);

class ProcessHandle {
 public:
  // pidfd_open(pid), then the start time read through /proc: kNotFound when the process is gone
  // or, when `expected_start_time` is non-zero, when the pid now belongs to another process.
  // kPermission for kernel threads, which are never touched.
  static Result<ProcessHandle> open(int pid, std::uint64_t expected_start_time = 0);

  const ProcessIdentity& identity() const { return identity_; }
  int pid() const { return identity_.pid; }
  // Still the same, living process (the pidfd has not signalled exit). Call right before acting.
  Result<void> verify() const;

 private:
  ProcessHandle(UniqueFd fd, ProcessIdentity identity) : pidfd_(std::move(fd)), identity_(identity) {}
  UniqueFd pidfd_;
  ProcessIdentity identity_;
};

}  // namespace aurora::coord
