// Page migration with move_pages(2): first ask where each resident page is, then move only the
// ones not on the target nodes, in batches, sleeping between batches to keep to the budget.
#include <numaif.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <exception>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/procfs.hpp"

namespace aurora::coord {

namespace {

// Where-is queries go in chunks of this many pages (a status array of 64 KiB).
constexpr std::size_t kQueryPages = 16384;
// Each moving call drains every CPU's LRU caches first (lru_cache_disable), a fixed cost that
// is far higher than the pages themselves on a busy or emulated machine: about 0.1 s per call
// in the 2-node TCG guest, so 64 calls of 512 pages took 6.5 s for 128 MiB there. Yet a call
// cannot be interrupted, and one of 16384 pages took 21 s in that guest on a loaded CI host: a
// stop request waited 21 s. So the batch adapts to the time a call takes: it starts at
// kFirstMovePages, doubles while a call takes under half of kTargetCallSeconds, shrinks to fit
// it when a call takes more than twice as long, and stays within [kMinimumMovePages, 1/16 s of
// the budget]. (Shrinking to fit every call into 0.1 s left 128-page calls that were mostly
// that fixed cost: 2.8 MiB/s in the guest.)
constexpr std::size_t kFirstMovePages = 512;
constexpr std::size_t kMinimumMovePages = 128;
constexpr double kTargetCallSeconds = 0.5;
// A mapping with fewer pages off the target than this is left where it is: thread stacks,
// TLS and small heaps carry little traffic, and AutoNUMA leaves such cold pages too.
constexpr std::size_t kMinimumPagesPerMapping = 256;

long move_pages_syscall(int pid, unsigned long count, void** pages, const int* nodes, int* status, int flags) {
  return ::syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

struct Range {
  unsigned long start, end;
  int flags;  // MPOL_MF_MOVE, or MPOL_MF_MOVE_ALL for memory shared with other processes
};

// The memory a process owns: private anonymous, heap and stack mappings (MPOL_MF_MOVE moves
// the pages only it maps). And shared memory objects (POSIX shm, SysV, memfd) and anonymous
// MAP_SHARED memory: the policy places the processes sharing such memory as one, and their
// pages are mapped by all of them, which only MPOL_MF_MOVE_ALL moves (root). Found in the
// 2-node guest: a decision to move two processes and their 128 MiB shm segment moved 0 pages.
// File pages are page cache of files, shared with whoever reads them, and are left.
Result<std::vector<Range>> movable_ranges(int pid) {
  auto maps = read_proc_maps(HostRoot("/"), pid);
  if (!maps) return tl::unexpected(maps.error());
  std::vector<Range> out;
  for (const MapsEntry& m : *maps) {
    if (m.permissions.empty() || m.permissions[0] != 'r') continue;
    // A private mapping of /dev/zero is anonymous memory under another name.
    const bool anonymous =
        m.path.empty() || m.path == "[heap]" || m.path == "[stack]" || m.path.starts_with("/dev/zero");
    if (!m.shared() && anonymous)
      out.push_back({m.start_address, m.end_address, MPOL_MF_MOVE});
    else if (m.shared_memory_object())
      out.push_back({m.start_address, m.end_address, MPOL_MF_MOVE_ALL});
  }
  return out;
}

// One move_pages(2) call on a slice of a batch, as a lane runs it.
struct LaneCall {
  std::span<void*> pages;
  std::span<const int> nodes;
  std::span<int> status;
  long rc = 0;
  int error = 0;
  double seconds = 0;
  void run(int pid, int flags) {
    const auto started = std::chrono::steady_clock::now();
    rc = move_pages_syscall(pid, pages.size(), pages.data(), nodes.data(), status.data(), flags);
    error = rc < 0 ? errno : 0;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
};

// Which node a resident page at `address`, now on `node_now`, goes to; -1 leaves it.
using Destination = std::function<int(std::uint64_t address, int node_now)>;

// Moves the resident pages of `ranges` that `destination` sends elsewhere, in batches split
// across the lanes, sleeping between batches to keep to the budget. A mapping with fewer pages
// to move than `minimum_pages_per_mapping` is left (MigrationResult::pages_left_small).
Result<MigrationResult> move_resident_pages(const ProcessHandle& process, const std::vector<Range>& ranges,
                                            const Destination& destination, std::size_t minimum_pages_per_mapping,
                                            const MigrationPace& pace, const std::function<bool()>& should_stop,
                                            std::uint64_t max_pages) {
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const auto started = std::chrono::steady_clock::now();
  MigrationResult result;
  const double budget_bytes_per_second = std::max(1.0, pace.budget_bytes_per_second);
  const std::size_t lanes = static_cast<std::size_t>(std::max(1, pace.parallel_calls));
  // Batch sizes are per lane; all lanes together stay within 1/16 s of the budget.
  const std::size_t largest_batch = std::max<std::size_t>(
      kMinimumMovePages,
      static_cast<std::size_t>(budget_bytes_per_second / 16 / static_cast<double>(page_size) / static_cast<double>(lanes)));
  std::size_t move_batch = std::min(kFirstMovePages, largest_batch);
  const auto stopping = [&] { return should_stop && should_stop(); };
  std::vector<void*> to_move;
  std::vector<int> nodes;
  std::vector<int> sources;  // where each page of to_move is now
  int batch_flags = MPOL_MF_MOVE;
  // Moves what is pending, split across the lanes, then sleeps until the bytes moved so far fit
  // the budget.
  auto flush = [&]() -> Result<void> {
    if (to_move.empty()) return {};
    std::vector<int> moved(to_move.size(), 0);
    // A short tail is one call: a slice under kMinimumMovePages is mostly the call's fixed cost.
    const std::size_t used_lanes = std::clamp<std::size_t>(to_move.size() / kMinimumMovePages, 1, lanes);
    const std::size_t slice = (to_move.size() + used_lanes - 1) / used_lanes;
    std::vector<LaneCall> calls;
    for (std::size_t first = 0; first < to_move.size(); first += slice) {
      const std::size_t count = std::min(slice, to_move.size() - first);
      calls.push_back({std::span(to_move).subspan(first, count), std::span<const int>(nodes).subspan(first, count),
                       std::span(moved).subspan(first, count)});
    }
    {
      std::vector<std::jthread> helpers;
      std::size_t started_helpers = 1;
      try {
        for (; started_helpers < calls.size(); ++started_helpers)
          helpers.emplace_back(
              [&call = calls[started_helpers], &process, batch_flags] { call.run(process.pid(), batch_flags); });
      } catch (const std::exception&) {
        // No thread to be had (thread or memory limits): the rest run here, one after another.
      }
      calls[0].run(process.pid(), batch_flags);
      for (std::size_t i = started_helpers; i < calls.size(); ++i) calls[i].run(process.pid(), batch_flags);
    }  // the helpers join here
    double call_seconds = 0;
    std::size_t first_of_call = 0;
    for (const LaneCall& call : calls) {
      const std::size_t first = first_of_call;
      first_of_call += call.pages.size();
      ++result.move_calls;
      call_seconds = std::max(call_seconds, call.seconds);
      if (call.rc < 0 && call.error == ESRCH)
        return fail(ErrorKind::kNotFound, fmt::format("pid {} exited during page migration", process.pid()));
      if (call.rc < 0) {
        result.pages_failed += call.pages.size();
        result.failures_by_errno[call.error] += call.pages.size();
        continue;
      }
      for (std::size_t i = 0; i < call.pages.size(); ++i) {
        if (call.status[i] == call.nodes[i]) {
          ++result.pages_moved;
          ++result.pages_moved_from_node[sources[first + i]];
          if (result.moved_from_complete) {
            append_page_run(result.moved_from, reinterpret_cast<std::uint64_t>(call.pages[i]), sources[first + i],
                            static_cast<std::uint64_t>(page_size));
            if (result.moved_from.size() > kMaxRecordedPageRuns) {
              result.moved_from_complete = false;
              result.moved_from.clear();
            }
          }
        } else {
          ++result.pages_failed;
          ++result.failures_by_errno[call.status[i] < 0 ? -call.status[i] : 0];  // 0: landed on another node
        }
      }
    }
    if (call_seconds > 2 * kTargetCallSeconds)
      move_batch = std::max(kMinimumMovePages,
                            static_cast<std::size_t>(static_cast<double>(slice) * kTargetCallSeconds / call_seconds));
    else if (call_seconds < kTargetCallSeconds / 2 && slice >= move_batch)
      move_batch = std::min(largest_batch, move_batch * 2);
    to_move.clear();
    nodes.clear();
    sources.clear();
    const double due = static_cast<double>(result.pages_moved * page_size) / budget_bytes_per_second;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (due > elapsed) std::this_thread::sleep_for(std::chrono::duration<double>(due - elapsed));
    result.stopped = stopping();
    return {};
  };
  std::uint64_t queued = 0;
  const auto finished = [&] { return result.stopped || result.reached_limit; };
  struct Pending {
    void* page;
    int to, from;
  };
  auto queue = [&](const Pending& p, int flags) -> Result<void> {
    if (finished()) return {};
    if (flags != batch_flags) {
      if (auto ok = flush(); !ok) return ok;
      batch_flags = flags;
      if (finished()) return {};
    }
    if (max_pages > 0 && queued >= max_pages) {
      result.reached_limit = true;
      return {};
    }
    ++queued;
    to_move.push_back(p.page);
    nodes.push_back(p.to);
    sources.push_back(p.from);
    return to_move.size() >= move_batch * lanes ? flush() : Result<void>{};
  };
  for (const Range& r : ranges) {
    if (finished()) break;
    // A mapping's first pages to move wait here until it has enough of them to be moved.
    std::vector<Pending> first_to_move;
    std::size_t to_move_here = 0;
    for (unsigned long address = r.start; address < r.end && !finished();) {
      if (stopping()) {
        result.stopped = true;
        break;
      }
      std::vector<void*> pages;
      for (; address < r.end && pages.size() < kQueryPages; address += page_size)
        pages.push_back(reinterpret_cast<void*>(address));
      std::vector<int> status(pages.size(), 0);
      if (move_pages_syscall(process.pid(), pages.size(), pages.data(), nullptr, status.data(), 0) != 0) {
        if (errno == ESRCH) return fail(ErrorKind::kNotFound, fmt::format("pid {} exited during page migration", process.pid()));
        continue;  // the mapping changed under us: skip this chunk
      }
      for (std::size_t i = 0; i < pages.size() && !finished(); ++i) {
        if (status[i] < 0) continue;  // not resident
        ++result.pages_seen;
        const int to = destination(reinterpret_cast<std::uint64_t>(pages[i]), status[i]);
        if (to < 0 || to == status[i]) continue;
        const Pending page{pages[i], to, status[i]};
        ++to_move_here;
        if (to_move_here < minimum_pages_per_mapping) {
          first_to_move.push_back(page);
          continue;
        }
        for (const Pending& waiting : first_to_move)
          if (auto ok = queue(waiting, r.flags); !ok) return tl::unexpected(ok.error());
        first_to_move.clear();
        if (auto ok = queue(page, r.flags); !ok) return tl::unexpected(ok.error());
      }
    }
    if (!finished()) result.pages_left_small += first_to_move.size();
  }
  // Stopped: what is queued stays where it is (another call could take a while).
  if (!result.stopped)
    if (auto ok = flush(); !ok) return tl::unexpected(ok.error());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

void append_page_run(std::vector<PageRun>& runs, std::uint64_t address, int node, std::uint64_t page_size) {
  if (!runs.empty()) {
    PageRun& last = runs.back();
    if (last.node == node && last.start + last.pages * page_size == address) {
      ++last.pages;
      return;
    }
  }
  runs.push_back({address, 1, node});
}

Result<MigrationResult> migrate_process_memory(const ProcessHandle& process, const std::vector<int>& to_nodes,
                                               const MigrationPace& pace,
                                               const std::function<bool()>& should_stop,
                                               std::uint64_t max_pages) {
  if (to_nodes.empty()) return fail(ErrorKind::kBadInput, "page migration needs at least one target node");
  if (auto ok = process.verify(); !ok) return tl::unexpected(ok.error());
  auto ranges = movable_ranges(process.pid());
  if (!ranges) return tl::unexpected(ranges.error());
  std::size_t next_target = 0;
  const Destination round_robin = [&](std::uint64_t, int node_now) {
    if (std::find(to_nodes.begin(), to_nodes.end(), node_now) != to_nodes.end()) return -1;
    return to_nodes[next_target++ % to_nodes.size()];
  };
  return move_resident_pages(process, *ranges, round_robin, kMinimumPagesPerMapping, pace, should_stop, max_pages);
}

Result<MigrationResult> return_pages(const ProcessHandle& process, const std::vector<PageRun>& runs,
                                     const MigrationPace& pace) {
  if (auto ok = process.verify(); !ok) return tl::unexpected(ok.error());
  auto mappings = movable_ranges(process.pid());
  if (!mappings) return tl::unexpected(mappings.error());
  std::vector<PageRun> sorted = runs;
  std::sort(sorted.begin(), sorted.end(), [](const PageRun& a, const PageRun& b) { return a.start < b.start; });
  const auto page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  // The runs' parts that still lie in a movable mapping, with that mapping's flags.
  std::vector<Range> ranges;
  for (const Range& m : *mappings)
    for (const PageRun& run : sorted) {
      const std::uint64_t start = std::max<std::uint64_t>(run.start, m.start);
      const std::uint64_t end = std::min<std::uint64_t>(run.start + run.pages * page_size, m.end);
      if (start < end) ranges.push_back({start, end, m.flags});
    }
  const Destination back = [&](std::uint64_t address, int) {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), address,
                               [](std::uint64_t a, const PageRun& run) { return a < run.start; });
    if (it == sorted.begin()) return -1;
    --it;
    return address < it->start + it->pages * page_size ? it->node : -1;
  };
  // Every recorded page goes back, however few in a mapping: the record is of pages that moved.
  return move_resident_pages(process, ranges, back, 0, pace, {}, 0);
}

}  // namespace aurora::coord
