// MemoryPlacementSampler: memory-by-node for the processes that matter, at a cost that stays
// bounded.
//
// Reading /proc/PID/numa_maps walks every page table of the process under its mmap lock, so
// its cost grows with resident memory (measured figures: docs/locality-sources.md). The
// sampler therefore reads it only for processes whose RSS is at least `min_rss_bytes`, and at
// most once every `min_interval` per process, unless its RSS changed by more than 10% since (it
// is still allocating: the cached split would describe its start); in between it returns the
// cached reading with the time it was taken. Not thread-safe: one aggregator owns one sampler.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"  // NodeCounters

namespace aurora {

struct MemoryPlacementOptions {
  std::uint64_t min_rss_bytes = 64ull << 20;          // smaller processes are not read
  std::chrono::nanoseconds min_interval = std::chrono::seconds(10);  // per process
};

struct MemoryPlacement {
  NodeCounters bytes_by_node;
  NodeCounters file_bytes_by_node;  // of bytes_by_node: in file mappings (is_file_mapping_path)
  std::chrono::steady_clock::time_point sampled_at;  // when numa_maps was actually read
  bool fresh = false;  // true when read by this call, false when served from the cache
  std::uint64_t rss_bytes = 0;  // the RSS it was read at: a change of over 10% forces a new read
};

struct MemoryPlacementStats {
  std::uint64_t reads = 0;        // numa_maps files read
  std::uint64_t cache_hits = 0;   // calls answered from the cache
  std::uint64_t skipped_small = 0;  // calls below the RSS threshold
  std::uint64_t read_ns = 0;      // wall time spent reading numa_maps, total
};

class MemoryPlacementSampler {
 public:
  explicit MemoryPlacementSampler(HostRoot root, MemoryPlacementOptions options = {});

  // Memory by node of `pid` whose current RSS is `rss_bytes` (from TaskStat::rss_pages):
  // std::nullopt when rss_bytes is below the threshold; the cached reading when the last read
  // is younger than min_interval; otherwise a fresh read. A process that exited is kNotFound
  // (and is forgotten). `now` is injectable for tests.
  Result<std::optional<MemoryPlacement>> sample(
      int pid, std::uint64_t rss_bytes,
      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  // Drops cached entries of pids not in `live_pids` (call once per snapshot so the cache does
  // not grow with pid churn). A reused pid is not detected here: callers that track
  // TaskStat::start_time_ticks should forget() a pid whose start time changed.
  void retain_only(const std::vector<int>& live_pids);
  void forget(int pid);

  std::size_t cached() const { return cache_.size(); }
  const MemoryPlacementStats& stats() const { return stats_; }
  const MemoryPlacementOptions& options() const { return options_; }

 private:
  HostRoot root_;
  MemoryPlacementOptions options_;
  std::unordered_map<int, MemoryPlacement> cache_;
  MemoryPlacementStats stats_;
};

}  // namespace aurora
