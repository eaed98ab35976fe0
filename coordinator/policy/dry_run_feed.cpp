#include "aurora/coordinator/dry_run_feed.hpp"

#include <fmt/format.h>

#include "aurora/coordinator/workload_class.hpp"

namespace aurora::coord {

namespace {
constexpr std::size_t kMaxEntries = 256;
}

DryRunFeed::DryRunFeed(Topology topology, PolicyConfig config, double decision_interval_seconds)
    : topology_(std::move(topology)),
      config_(std::move(config)),
      schedule_(decision_interval_seconds) {}

void DryRunFeed::observe(const Snapshot& snapshot) {
  const double interval_seconds = snapshot.interval_ns / 1e9;
  std::map<int, std::string> classes;
  if (interval_seconds > 0)
    for (const ProcessSample& p : snapshot.processes) {
      const ClassEvidence evidence = classify(p, interval_seconds, config_.classes);
      if (evidence.workload_class != WorkloadClass::kIdle)
        classes[p.pid] = to_string(evidence.workload_class);
    }

  std::lock_guard lock(mutex_);
  classes_ = std::move(classes);
  const double now = snapshot.timestamp_ns / 1e9;
  if (!schedule_.due(now, interval_seconds)) return;
  const PolicyOutcome outcome = decide(topology_, snapshot, PolicyHints{}, config_, state_, now);
  for (const Decision& d : outcome.decisions) {
    CoordinatorEntry entry;
    entry.id = next_id_++;
    entry.timestamp_ns = snapshot.timestamp_ns;
    entry.kind = CoordinatorEntry::Kind::kRecommendation;
    entry.pid = d.pids.empty() ? -1 : d.pids.front();
    entry.cgroup = d.container.empty() ? "" : d.cgroup;
    entry.state = "proposed";
    entry.summary = d.summary;
    std::string reason;
    for (const std::string& line : d.evidence) reason += (reason.empty() ? "" : "; ") + line;
    entry.reason = reason;
    entries_.push_front(std::move(entry));
  }
  while (entries_.size() > kMaxEntries) entries_.pop_back();
}

std::vector<CoordinatorEntry> DryRunFeed::recent(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  const std::size_t count = std::min(limit, entries_.size());
  return {entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(count)};
}

std::string DryRunFeed::workload_class(int pid) const {
  std::lock_guard lock(mutex_);
  auto it = classes_.find(pid);
  return it == classes_.end() ? "" : it->second;
}

Result<void> DryRunFeed::apply(std::uint64_t id) {
  return fail(ErrorKind::kUnsupported,
              fmt::format("recommendation {}: top only recommends; act with `aurora-numa-monitor "
                          "run --apply` (journaled, undone with `revert`)",
                          id));
}

Result<void> DryRunFeed::revert(std::uint64_t id) {
  return fail(ErrorKind::kUnsupported,
              fmt::format("entry {}: nothing was applied from top; `aurora-numa-monitor revert` "
                          "undoes what `run --apply` journaled",
                          id));
}

Result<std::optional<Snapshot>> ObservedSource::next() {
  auto snapshot = inner_->next();
  if (snapshot && *snapshot) feed_.observe(**snapshot);
  return snapshot;
}

}  // namespace aurora::coord
