#include "node_buffer.hpp"

#include <numa.h>
#include <numaif.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "node_cpus.hpp"

namespace aurora::workload {
namespace {

unsigned long node_mask(int node) { return 1UL << node; }
constexpr unsigned long kMaskBits = sizeof(unsigned long) * 8;

// Restores the thread's CPU affinity and memory policy however first touch ends.
class FirstTouchScope {
 public:
  explicit FirstTouchScope(cpu_set_t saved) : saved_(saved) {}
  FirstTouchScope(const FirstTouchScope&) = delete;
  FirstTouchScope& operator=(const FirstTouchScope&) = delete;
  ~FirstTouchScope() {
    set_mempolicy(MPOL_DEFAULT, nullptr, 0);
    sched_setaffinity(0, sizeof(saved_), &saved_);
  }

 private:
  cpu_set_t saved_;
};

}  // namespace

Result<NodeBuffer> NodeBuffer::allocate(std::size_t bytes, int node, Placement placement,
                                        bool no_hugepage) {
  if (auto ok = require_online_node(node); !ok) return tl::unexpected(ok.error());
  // mbind/set_mempolicy read maxnode - 1 bits of the mask.
  if (node >= static_cast<int>(kMaskBits) - 1)
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} is beyond node {}, the highest this tool can place memory on",
                            node, kMaskBits - 2));
  long long free_bytes = 0;
  const long long node_bytes = numa_node_size64(node, &free_bytes);
  if (node_bytes <= 0 || free_bytes < static_cast<long long>(bytes))
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} has {} MiB free, less than the {} MiB asked for; ask for "
                            "less memory or another node",
                            node, free_bytes >> 20, bytes >> 20));

  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED)
    return fail(ErrorKind::kRuntime,
                fmt::format("mmap of {} MiB failed: {}", bytes >> 20, std::strerror(errno)));
  NodeBuffer buffer(static_cast<char*>(mapped), bytes);

  if (no_hugepage && madvise(mapped, bytes, MADV_NOHUGEPAGE) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("madvise(MADV_NOHUGEPAGE) failed: {}", std::strerror(errno)));

  const unsigned long mask = node_mask(node);
  if (placement != Placement::kFirstTouch) {
    int mode = MPOL_BIND;
    if (placement == Placement::kBindWithBalancing) mode |= MPOL_F_NUMA_BALANCING;
    if (mbind(mapped, bytes, mode, &mask, kMaskBits, 0) != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("mbind(MPOL_BIND{}) to node {} failed: {}{}",
                              placement == Placement::kBindWithBalancing ? "|MPOL_F_NUMA_BALANCING"
                                                                         : "",
                              node, std::strerror(errno),
                              errno == EINVAL ? " (MPOL_F_NUMA_BALANCING needs Linux >= 5.12)"
                                              : ""));
  }

  auto saved = current_affinity();
  if (!saved) return tl::unexpected(saved.error());
  {
    FirstTouchScope scope(*saved);
    if (auto node_cpus = cpus_of_node(node); node_cpus) {
      if (auto ok = pin_calling_thread(*node_cpus); !ok) return tl::unexpected(ok.error());
    }
    if (placement == Placement::kFirstTouch && set_mempolicy(MPOL_BIND, &mask, kMaskBits) != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("set_mempolicy(MPOL_BIND, node {}) failed: {}", node,
                              std::strerror(errno)));
    for (std::size_t offset = 0; offset < bytes; offset += kPageSize)
      static_cast<char*>(mapped)[offset] = 1;
  }
  return buffer;
}

NodeBuffer::NodeBuffer(NodeBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

NodeBuffer& NodeBuffer::operator=(NodeBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

NodeBuffer::~NodeBuffer() {
  if (data_ != nullptr) munmap(data_, bytes_);
}

}  // namespace aurora::workload
