// NodeBuffer: an anonymous mapping whose pages are placed on one NUMA node before the workload
// starts, then left to the kernel (first touch) or kept there by a memory policy (bind).
#pragma once

#include <string>

#include <cstddef>

#include "aurora/result.hpp"

namespace aurora::workload {

enum class Placement {
  kFirstTouch,         // touched on the node, no policy left behind: AutoNUMA may move it
  kBind,               // MPOL_BIND kept: no hinting faults, pages stay
  kBindWithBalancing,  // MPOL_BIND | MPOL_F_NUMA_BALANCING: faults, the task may move instead
  kPreferred,          // first touch under MPOL_PREFERRED: spills to other nodes when the node
                       // is full (a process larger than one node), no policy left behind
  kInterleave,         // first touch under MPOL_INTERLEAVE over every memory node: page i on
                       // the i-th node in turn, no policy left behind (a spread layout)
};

class NodeBuffer {
 public:
  static constexpr std::size_t kPageSize = 4096;

  // Maps `bytes` (a multiple of 4 KiB), optionally marks it MADV_NOHUGEPAGE (exact per-page
  // migration counts), and places every page on `node`. First touch runs on the node's CPUs
  // when it has any, under a temporary MPOL_BIND so a CPU-less node works too.
  // With a `shm_name`, the buffer is the POSIX shared-memory object /dev/shm/<shm_name>: the
  // first process creates and places it (and unlinks the name when it ends); a process that
  // finds it already there maps it as it is, so several processes share its pages.
  static Result<NodeBuffer> allocate(std::size_t bytes, int node, Placement placement,
                                     bool no_hugepage, const std::string& shm_name = {});

  NodeBuffer(const NodeBuffer&) = delete;
  NodeBuffer& operator=(const NodeBuffer&) = delete;
  NodeBuffer(NodeBuffer&& other) noexcept;
  NodeBuffer& operator=(NodeBuffer&& other) noexcept;
  ~NodeBuffer();

  char* data() const noexcept { return data_; }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t pages() const noexcept { return bytes_ / kPageSize; }

 private:
  NodeBuffer(char* data, std::size_t bytes) noexcept : data_(data), bytes_(bytes) {}
  void release() noexcept;
  char* data_ = nullptr;
  std::size_t bytes_ = 0;
  std::string unlink_on_exit_;  // the shm name this process created
};

}  // namespace aurora::workload
