// MemoryPlacementSampler: numa_maps for the large processes, rate-limited per process.
#include "aurora/memory_placement.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "aurora/procfs.hpp"

namespace aurora {

namespace {
constexpr double kRssChangeForRead = 0.1;
}  // namespace

MemoryPlacementSampler::MemoryPlacementSampler(HostRoot root, MemoryPlacementOptions options)
    : root_(std::move(root)), options_(options) {}

Result<std::optional<MemoryPlacement>> MemoryPlacementSampler::sample(
    int pid, std::uint64_t rss_bytes, std::chrono::steady_clock::time_point now) {
  if (rss_bytes < options_.min_rss_bytes) {
    ++stats_.skipped_small;
    cache_.erase(pid);  // it shrank: a stale large reading would mislead
    return std::optional<MemoryPlacement>();
  }
  // A process whose RSS moved by more than a tenth since the cached reading (still
  // allocating, or freeing) is read again: the cached split by node no longer describes it.
  const auto rss_changed = [&](const MemoryPlacement& cached) {
    const double before = static_cast<double>(cached.rss_bytes);
    return std::abs(static_cast<double>(rss_bytes) - before) > kRssChangeForRead * std::max(before, 1.0);
  };
  if (auto it = cache_.find(pid); it != cache_.end() &&
                                  now - it->second.sampled_at < options_.min_interval && !rss_changed(it->second)) {
    ++stats_.cache_hits;
    MemoryPlacement cached = it->second;
    cached.fresh = false;
    return std::optional<MemoryPlacement>(std::move(cached));
  }

  const auto started = std::chrono::steady_clock::now();
  auto bytes = read_numa_maps_totals(root_, pid);
  stats_.read_ns += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                           started)
          .count());
  if (!bytes) {
    cache_.erase(pid);
    return tl::unexpected(bytes.error());
  }
  ++stats_.reads;
  MemoryPlacement placement{std::move(bytes->bytes_by_node), std::move(bytes->file_bytes_by_node), now, true,
                            rss_bytes};
  cache_[pid] = placement;
  return std::optional<MemoryPlacement>(std::move(placement));
}

void MemoryPlacementSampler::retain_only(const std::vector<int>& live_pids) {
  const std::unordered_set<int> live(live_pids.begin(), live_pids.end());
  std::erase_if(cache_, [&](const auto& entry) { return !live.contains(entry.first); });
}

void MemoryPlacementSampler::forget(int pid) { cache_.erase(pid); }

}  // namespace aurora
