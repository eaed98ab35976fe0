// How fast this machine migrates pages, measured once at start-up on the coordinator's own
// memory, so the first move is costed with a measured rate rather than the budget.
#include <numaif.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"

namespace aurora::coord {

namespace {

struct Unmapper {
  std::size_t length;
  void operator()(void* address) const { ::munmap(address, length); }
};
using Mapping = std::unique_ptr<void, Unmapper>;

}  // namespace

Result<MigrationProbe> probe_migration_rate(int from_node, int to_node, std::size_t bytes, int parallel_calls) {
  if (from_node == to_node || from_node < 0 || to_node < 0 || from_node >= 64 || to_node >= 64)
    return fail(ErrorKind::kBadInput, fmt::format("probe_migration_rate: nodes {} and {} must differ and be 0..63",
                                                  from_node, to_node));
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t length = std::max(page, bytes / page * page);
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: mmap of {} bytes: {}", length, std::strerror(errno)));
  const Mapping mapping(address, Unmapper{length});
  // Base pages, as most of what the coordinator moves: a huge page moves in one go and would
  // make the rate look several times higher than it is for a process's scattered pages.
  ::madvise(address, length, MADV_NOHUGEPAGE);
  unsigned long from_mask = 1ul << from_node;
  // Preferred, not bound: a node that fills meanwhile gives pages elsewhere rather than make
  // the kernel reclaim or OOM-kill for them.
  if (::mbind(address, length, MPOL_PREFERRED, &from_mask, 8 * sizeof from_mask, 0) != 0)
    return fail(ErrorKind::kUnsupported, fmt::format("page migration probe: cannot place memory on node {} (mbind: {})",
                                                     from_node, std::strerror(errno)));
  std::memset(address, 1, length);  // first touch: every page now lies on from_node
  const std::size_t count = length / page;
  std::vector<void*> pages(count);
  for (std::size_t i = 0; i < count; ++i) pages[i] = static_cast<char*>(address) + i * page;
  std::vector<int> nodes(count, to_node), status(count, -1);
  // The pages are written all along by another thread, as a running process's are: each page
  // moved must then be unmapped under a running thread (a TLB shootdown on its CPU), which
  // waits on the page while it moves. On an idle 2-node guest that changed little (64-97
  // MiB/s); what slows a busy process's migration most is the machine's load, which is why
  // `run` measures again under load before the first memory move.
  // Split into slices moved side by side, as the actuator's lanes do (each call waits mostly
  // on other CPUs, and calls side by side overlap those waits: docs/performance.md).
  const std::size_t lanes = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, parallel_calls)), 1, count);
  const std::size_t slice = (count + lanes - 1) / lanes;
  std::vector<long> lane_rc(lanes, 0);
  std::vector<int> lane_error(lanes, 0);
  const auto move_slice = [&](std::size_t lane) {
    const std::size_t first = lane * slice;
    if (first >= count) return;
    const std::size_t n = std::min(slice, count - first);
    lane_rc[lane] = ::syscall(SYS_move_pages, 0, n, pages.data() + first, nodes.data() + first, status.data() + first,
                              MPOL_MF_MOVE);
    if (lane_rc[lane] < 0) lane_error[lane] = errno;
  };
  std::atomic<bool> writing{false};
  double seconds = 0;
  long rc = 0;
  int error = 0;
  {
    const std::jthread writer([&](std::stop_token stop) {
      auto* bytes = static_cast<volatile char*>(address);
      while (!stop.stop_requested()) {
        for (std::size_t offset = 0; offset < length && !stop.stop_requested(); offset += page) bytes[offset] = 2;
        writing.store(true, std::memory_order_release);
      }
    });
    while (!writing.load(std::memory_order_acquire)) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> helpers;
      std::size_t helped = 1;
      try {
        for (; helped < lanes; ++helped) helpers.emplace_back(move_slice, helped);
      } catch (const std::exception&) {
        // No thread to be had: the rest run here, one after another.
      }
      move_slice(0);
      for (std::size_t lane = helped; lane < lanes; ++lane) move_slice(lane);
    }  // the helpers join here
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::size_t lane = 0; lane < lanes; ++lane)
      if (lane_rc[lane] < 0) {
        rc = lane_rc[lane];
        error = lane_error[lane];
      }
  }  // the writer stops and is joined here
  if (rc < 0) {
    // ENODEV: the target node is not online or has no memory (mbind may accept it anyway).
    return fail(error == ENODEV ? ErrorKind::kUnsupported : ErrorKind::kRuntime,
                fmt::format("page migration probe: move_pages to node {}: {}", to_node, std::strerror(error)));
  }
  const auto moved = static_cast<std::size_t>(std::count(status.begin(), status.end(), to_node));
  if (moved == 0 || seconds <= 0)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: none of {} pages reached node {} (full?)",
                                                 count, to_node));
  return MigrationProbe{moved * page, seconds};
}

}  // namespace aurora::coord
