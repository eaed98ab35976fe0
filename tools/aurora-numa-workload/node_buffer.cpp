#include "node_buffer.hpp"

#include <numa.h>
#include <numaif.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "aurora/unique_fd.hpp"
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

// Maps the shared-memory object `name` (creating it at `bytes` when it does not exist yet).
// `created` says whether this call made it (then its pages still need placing).
Result<void*> map_shm(const std::string& name, std::size_t bytes, bool& created) {
  const std::string path = "/" + name;
  UniqueFd fd(shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600));
  created = fd.valid();
  if (!created && errno == EEXIST) fd = UniqueFd(shm_open(path.c_str(), O_RDWR, 0));
  if (!fd.valid())
    return fail(ErrorKind::kRuntime, fmt::format("shm_open(/dev/shm/{}) failed: {}; is /dev/shm mounted?",
                                                 name, std::strerror(errno)));
  if (created && ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) {
    const int error = errno;
    shm_unlink(path.c_str());
    return fail(ErrorKind::kRuntime,
                fmt::format("ftruncate(/dev/shm/{}, {} MiB) failed: {}", name, bytes >> 20, std::strerror(error)));
  }
  struct stat st {};
  if (!created && (fstat(fd.get(), &st) != 0 || static_cast<std::size_t>(st.st_size) != bytes))
    return fail(ErrorKind::kBadInput,
                fmt::format("/dev/shm/{} exists with {} bytes, not the {} MiB asked for; give the same --mem-mib "
                            "as the process that created it, or remove it",
                            name, static_cast<long long>(st.st_size), bytes >> 20));
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (mapped == MAP_FAILED) {
    const int error = errno;
    if (created) shm_unlink(path.c_str());
    return fail(ErrorKind::kRuntime,
                fmt::format("mmap of /dev/shm/{} ({} MiB) failed: {}", name, bytes >> 20, std::strerror(error)));
  }
  return mapped;
}

}  // namespace

Result<NodeBuffer> NodeBuffer::allocate(std::size_t bytes, int node, Placement placement,
                                        bool no_hugepage, const std::string& shm_name) {
  if (auto ok = require_online_node(node); !ok) return tl::unexpected(ok.error());
  // mbind/set_mempolicy read maxnode - 1 bits of the mask.
  if (node >= static_cast<int>(kMaskBits) - 1)
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} is beyond node {}, the highest this tool can place memory on",
                            node, kMaskBits - 2));
  long long free_bytes = 0;
  const long long node_bytes = numa_node_size64(node, &free_bytes);
  // Preferred placement spills to other nodes, interleave spreads over them: only the machine
  // has to hold it.
  if (placement != Placement::kPreferred && placement != Placement::kInterleave && (node_bytes <= 0 || free_bytes < static_cast<long long>(bytes)))
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} has {} MiB free, less than the {} MiB asked for; ask for "
                            "less memory, another node or --placement preferred",
                            node, free_bytes >> 20, bytes >> 20));

  bool created = true;
  void* mapped = nullptr;
  if (shm_name.empty()) {
    mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED)
      return fail(ErrorKind::kRuntime,
                  fmt::format("mmap of {} MiB failed: {}", bytes >> 20, std::strerror(errno)));
  } else {
    auto shm = map_shm(shm_name, bytes, created);
    if (!shm) return tl::unexpected(shm.error());
    mapped = *shm;
  }
  NodeBuffer buffer(static_cast<char*>(mapped), bytes);
  if (!shm_name.empty() && created) buffer.unlink_on_exit_ = shm_name;
  // Another process placed the object's pages: map them as they are.
  if (!created) return buffer;

  if (no_hugepage && madvise(mapped, bytes, MADV_NOHUGEPAGE) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("madvise(MADV_NOHUGEPAGE) failed: {}", std::strerror(errno)));

  const unsigned long mask = node_mask(node);
  if (placement == Placement::kBind || placement == Placement::kBindWithBalancing) {
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
    const bool first_touch = placement == Placement::kFirstTouch || placement == Placement::kPreferred;
    const int touch_policy = placement == Placement::kPreferred ? MPOL_PREFERRED : MPOL_BIND;
    if (first_touch && set_mempolicy(touch_policy, &mask, kMaskBits) != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("set_mempolicy({}, node {}) failed: {}",
                              touch_policy == MPOL_PREFERRED ? "MPOL_PREFERRED" : "MPOL_BIND", node,
                              std::strerror(errno)));
    if (placement == Placement::kInterleave &&
        set_mempolicy(MPOL_INTERLEAVE, numa_all_nodes_ptr->maskp, numa_all_nodes_ptr->size + 1) != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("set_mempolicy(MPOL_INTERLEAVE, every memory node) failed: {}", std::strerror(errno)));
    for (std::size_t offset = 0; offset < bytes; offset += kPageSize)
      static_cast<char*>(mapped)[offset] = 1;
  }
  return buffer;
}

NodeBuffer::NodeBuffer(NodeBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      unlink_on_exit_(std::exchange(other.unlink_on_exit_, {})) {}

NodeBuffer& NodeBuffer::operator=(NodeBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    unlink_on_exit_ = std::exchange(other.unlink_on_exit_, {});
  }
  return *this;
}

NodeBuffer::~NodeBuffer() { release(); }

void NodeBuffer::release() noexcept {
  if (data_ != nullptr) munmap(data_, bytes_);
  // Processes still mapping the object keep its pages; the name goes with its creator.
  if (!unlink_on_exit_.empty()) shm_unlink(("/" + unlink_on_exit_).c_str());
  data_ = nullptr;
  unlink_on_exit_.clear();
}

}  // namespace aurora::workload
