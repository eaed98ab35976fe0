// DryRunFeed: the coordinator's policy running beside the dashboard, in dry-run mode.
//
// `top` shows, per process, the workload class the policy assigned and its latest
// recommendation with the evidence behind it. It never acts: applying is `run --apply`'s job,
// with its journal; apply()/revert() here say so.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "aurora/coordinator/decision_schedule.hpp"
#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/coordinator_feed.hpp"
#include "aurora/snapshot_source.hpp"

namespace aurora::coord {

class DryRunFeed final : public CoordinatorFeed {
 public:
  // `decision_interval_seconds`: one policy cycle per this much snapshot time, as in `run`.
  DryRunFeed(Topology topology, PolicyConfig config, double decision_interval_seconds);

  // Classifies every process of `snapshot` and, once per decision interval, runs the policy.
  // Called from whichever thread reads the snapshot source; thread-safe against the readers.
  void observe(const Snapshot& snapshot);

  std::vector<CoordinatorEntry> recent(std::size_t limit) const override;
  std::string workload_class(int pid) const override;
  bool can_act() const override { return false; }
  Result<void> apply(std::uint64_t id) override;
  Result<void> revert(std::uint64_t id) override;

 private:
  const Topology topology_;
  const PolicyConfig config_;
  mutable std::mutex mutex_;
  PolicyState state_;
  std::deque<CoordinatorEntry> entries_;  // newest first, bounded
  std::map<int, std::string> classes_;
  std::uint64_t next_id_ = 1;
  DecisionSchedule schedule_;
};

// A SnapshotSource that shows every snapshot to a DryRunFeed before handing it on.
class ObservedSource final : public SnapshotSource {
 public:
  ObservedSource(std::unique_ptr<SnapshotSource> inner, DryRunFeed& feed)
      : inner_(std::move(inner)), feed_(feed) {}
  const Topology& topology() const override { return inner_->topology(); }
  Result<std::optional<Snapshot>> next() override;
  void request_stop() override { inner_->request_stop(); }

 private:
  std::unique_ptr<SnapshotSource> inner_;
  DryRunFeed& feed_;
};

}  // namespace aurora::coord
