// `aurora-numa-monitor run [--apply] [--duration S]`: the coordinator loop. Dry run by default:
// every recommendation is printed with its evidence and expected improvement; --apply acts,
// journaling each action before taking it.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/coordinator_config.hpp"
#include "aurora/coordinator/decision_schedule.hpp"
#include "aurora/coordinator/executor.hpp"
#include "aurora/coordinator/first_move_rate.hpp"
#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/coordinator/policy_hints_reader.hpp"
#include "aurora/pipeline.hpp"
#include "aurora/recording.hpp"
#include "command.hpp"
#include "scope_options.hpp"
#include "stop_signals.hpp"

namespace aurora::cli {

namespace {

// A page migration that moved less than this says little about the rate of the next one.
constexpr std::uint64_t kMinimumMeasuredMigrationBytes = 8ull << 20;

// Free bytes per memory node: the snapshot's figures where it has them, else the topology's.
std::map<int, std::uint64_t> free_memory_by_node(const Topology& topology, const Snapshot* snapshot) {
  std::map<int, std::uint64_t> free;
  for (const auto& node : topology.nodes)
    if (node.memory_total_bytes > 0) free[node.id] = node.memory_free_bytes;
  if (snapshot)
    for (const auto& node : snapshot->nodes)
      if (node.memory_total_bytes > 0 && free.count(node.id)) free[node.id] = node.memory_free_bytes;
  return free;
}

// Until a real migration has been measured, a move is costed at the rate this machine moves
// `bytes` of a running process's memory (a child of ours), rather than at the budget: the first migration in the 2-node TCG
// guest ran at 14-36 MiB/s where the budget said 1024, and a 128 MiB segment was moved rather
// than a thread (docs/coordinator.md, "Actuators"). `when` says which measurement it is.
// Returns whether a rate was measured.
bool probe_migration(const Topology& topology, const Snapshot* snapshot, const CoordinatorConfig& cc,
                     coord::CostParameters& cost, std::size_t bytes, const char* when) {
  const auto free = free_memory_by_node(topology, snapshot);
  if (free.size() < 2) return false;  // nothing to migrate between
  auto costed_at = [&] {
    return cost.migration_observed_bytes_per_second > 0
               ? fmt::format("the {:.0f} MiB/s measured before", cost.migration_observed_bytes_per_second / (1 << 20))
               : fmt::format("the {:.0f} MiB/s budget until one is", cost.migration_budget_bytes_per_second / (1 << 20));
  };
  // Between the two nodes with the most free memory, and only when both keep the reserve: the
  // probe's own pages must never push a node into reclaim or the OOM killer. Found in the
  // 2-node guest: 32 MiB probed while a 576 MiB process filled the memory got it OOM-killed.
  std::vector<std::pair<std::uint64_t, int>> by_free;
  for (const auto& [node, bytes_free] : free) by_free.push_back({bytes_free, node});
  std::sort(by_free.rbegin(), by_free.rend());
  const auto needed = static_cast<std::uint64_t>(bytes + cc.node_memory_reserve_mib * 1024 * 1024);
  if (by_free[1].first < needed) {
    fmt::print("coordinator: page migration not measured {} (no two nodes have {:.0f} MiB free, its {:.0f} MiB and "
               "the reserve); moves are costed at {}\n",
               when, static_cast<double>(needed) / (1 << 20), static_cast<double>(bytes) / (1 << 20), costed_at());
    return false;
  }
  const int from = by_free[0].second, to = by_free[1].second;
  auto probe = coord::probe_migration_rate(from, to, bytes, cc.migration_parallel_calls);
  if (!probe) {
    fmt::print("coordinator: page migration not measured {} ({}); moves are costed at {}\n", when,
               probe.error().message, costed_at());
    return false;
  }
  cost.migration_observed_bytes_per_second = probe->bytes_per_second();
  fmt::print("coordinator: page migration measured at {:.0f} MiB/s {} ({:.0f} MiB of a probe process, node {} -> {}, "
             "{:.3f} s); moves are costed at the lower of that and the {:.0f} MiB/s budget until a real one is measured\n",
             probe->bytes_per_second() / (1 << 20), when, static_cast<double>(probe->bytes_moved) / (1 << 20), from, to,
             probe->seconds, cost.migration_budget_bytes_per_second / (1 << 20));
  return true;
}

// The start-up measurement is often taken on an idle machine (the daemon starts before the
// work), and pages migrate about half as fast while every CPU is busy (66-76 MiB/s idle in the
// 2-node guest, 34-37 MiB/s with its 4 vCPUs busy), and a busy process's 228 MiB took 8 s where
// 2.4 s was planned (a fresh-clone CI run, `large`): moving its threads would have been better.
// So before the first memory move is taken, the rate is measured again under the load it will
// run under. Both measurements move 16 MiB: 256 pages on each of migration_parallel_calls = 16
// lanes, 0.2-0.5 s in the guest.
constexpr std::size_t kStartupProbeBytes = 16u << 20;
constexpr std::size_t kUnderLoadProbeBytes = 16u << 20;

struct RunOptions {
  bool apply = false;
  double duration = 0;
  std::string replay;
  std::string journal;
  ScopeOptions scope;  // live only: what the pipeline observes and the coordinator may act on
};

void print_decision(const coord::Decision& d) {
  fmt::print("recommend: {}\n", d.summary);
  for (const auto& e : d.evidence) fmt::print("    {}\n", e);
}

int run_loop(GlobalOptions& globals, const RunOptions& options) {
  std::unique_ptr<SnapshotSource> source;
  if (!options.replay.empty() && options.scope.any())
    return report({ErrorKind::kBadInput,
                   "--cgroup/--container/--pod/--pid choose what the live pipeline observes; a recording holds "
                   "what it recorded"});
  if (!options.replay.empty()) {
    if (options.apply)
      return report({ErrorKind::kBadInput,
                     "--apply acts on live processes; a replayed recording describes processes that may no longer "
                     "exist. Drop --apply to see the recommendations"});
    auto replay = ReplaySource::open(options.replay);
    if (!replay) return report(replay.error());
    source = std::move(*replay);
  } else {
    const HostRoot root = globals.host_root();
    auto scope = resolve_scope(options.scope, root);
    if (!scope) return report(scope.error());
    PipelineOptions pipeline_options;
    pipeline_options.interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(globals.config.monitor.interval_seconds));
    pipeline_options.scope = *scope;
    auto pipeline = LivePipeline::start(root, pipeline_options);
    if (!pipeline) return report(pipeline.error());
    source = std::move(*pipeline);
  }
  // Ctrl-C / SIGTERM end a blocking next(); the loop then prints its summary and returns.
  StopOnSignals stop(*source);
  const CoordinatorConfig& cc = globals.config.coordinator;
  coord::PolicyConfig policy = coord::policy_config_from(cc);
  coord::PolicyHintsOptions hints_options;
  hints_options.numa_maps_min_rss_bytes = policy.min_rss_bytes;
  hints_options.classes = policy.classes;
  coord::PolicyState state;
  std::optional<coord::Journal> journal;
  std::optional<coord::Executor> executor;
  if (options.apply) {
    auto opened = coord::Journal::open(options.journal.empty() ? cc.journal_path : options.journal);
    if (!opened) return report(opened.error());
    journal.emplace(std::move(*opened));
    coord::ExecutorOptions eo;
    eo.migration = coord::migration_pace_from(cc);
    eo.should_stop = [] { return StopOnSignals::requested(); };
    executor.emplace(*journal, source->topology(), eo);
  }
  fmt::print("coordinator: {} ({} nodes); policy every {:.1f} s\n",
             options.apply ? "applying decisions (journal " + journal->path() + ")" : "dry run (use --apply to act)",
             source->topology().nodes.size(), cc.interval_seconds);
  // Live only: a replay's machine is not this one.
  if (options.replay.empty()) probe_migration(source->topology(), nullptr, cc, policy.cost, kStartupProbeBytes, "at start-up");
  bool rate_from_real_migration = false;
  // Live only: the measurement under load before the first memory move (first_move_rate.hpp).
  coord::FirstMoveRate first_move(
      options.replay.empty() ? coord::FirstMoveRate::MeasureUnderLoad([&](const Snapshot& snapshot, coord::CostParameters& cost) {
        return probe_migration(source->topology(), &snapshot, cc, cost, kUnderLoadProbeBytes,
                               "again before the first memory move");
      })
                             : coord::FirstMoveRate::MeasureUnderLoad());
  const auto started = std::chrono::steady_clock::now();
  double first = -1;
  coord::DecisionSchedule schedule(cc.interval_seconds);
  int cycles = 0, recommended = 0;
  for (;;) {
    auto next = source->next();
    if (!next) return report(next.error());
    if (!*next) break;
    const Snapshot& snapshot = **next;
    const double now = snapshot.timestamp_ns / 1e9;
    if (first < 0) first = now;
    const double elapsed = options.replay.empty()
                               ? std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
                               : now - first;
    if (executor)
      for (const auto& migration : executor->finished_migrations()) {
        fmt::print("-- t={:.1f}s: page migration {}: {}\n", now - first, migration.ok ? "ended" : "failed",
                   migration.line);
        if (migration.ok) state.migration_finished(migration.pid, now);
        else state.forget_last_move(migration.pid);
        // What migrations reach here is what the next one is expected to take (a loaded or
        // emulated machine is far below the budget). Small ones are mostly fixed costs.
        if (migration.ok && migration.bytes_moved >= kMinimumMeasuredMigrationBytes && migration.seconds > 0) {
          const double rate = static_cast<double>(migration.bytes_moved) / migration.seconds;
          double& observed = policy.cost.migration_observed_bytes_per_second;
          // The first real migration replaces the probes' figure; later ones are averaged in.
          observed = observed > 0 && rate_from_real_migration ? (observed + rate) / 2 : rate;
          rate_from_real_migration = true;
          first_move.real_rate_known();
        }
      }
    if (options.duration > 0 && elapsed > options.duration) break;
    if (!schedule.due(now, static_cast<double>(snapshot.interval_ns) / 1e9)) continue;
    ++cycles;
    // A recording says nothing about kernel threads, shared segments or pinned threads: a
    // replay places without hints. Live, they are read from /proc for this snapshot's processes.
    coord::PolicyHints hints;
    if (options.replay.empty()) {
      auto live_hints = coord::read_policy_hints(globals.host_root(), snapshot, hints_options);
      if (!live_hints) {
        // Without hints the policy could plan a kernel thread or undo an application's own
        // pinning: withhold this cycle's decisions rather than guess.
        fmt::print("-- t={:.1f}s: no recommendations this cycle: {}\n", now - first, live_hints.error().message);
        continue;
      }
      hints = std::move(*live_hints);
    }
    coord::Watched watched = state.watch(snapshot, now, cc.min_observed_seconds);
    hints.settling = std::move(watched.settling);
    hints.memory_settling = std::move(watched.memory_settling);
    if (executor) hints.migrating = executor->migrating_pids();
    auto [outcome, notes] = first_move.decide(source->topology(), snapshot, hints, policy, state, now);
    for (const auto& line : notes) fmt::print("{}\n", line);
    fmt::print("-- t={:.1f}s: {} recommendation(s)\n", now - first, outcome.decisions.size());
    for (const auto& line : outcome.frozen) fmt::print("frozen: {}\n", line);
    for (const auto& skip : outcome.skipped) fmt::print("left: pid {} ({}): {}\n", skip.pid, skip.comm, skip.reason);
    for (const auto& d : outcome.decisions) {
      ++recommended;
      print_decision(d);
      if (!executor) continue;
      // A move that failed is not a move: no hold follows it. One that succeeded with nothing
      // to do is held like any other, so it is not proposed again every cycle; an application
      // moving its threads elsewhere ends the hold (PolicyState::settling). Page migrations end
      // later, on the executor's worker; their outcome is handled above when they do.
      bool failed = false;
      for (const auto& result : executor->apply(d)) {
        fmt::print("    {}: {}\n", result.ok ? "applied" : "not applied", result.line);
        failed = failed || !result.ok;
      }
      if (failed)
        for (int pid : d.pids) state.forget_last_move(pid);
    }
  }
  if (executor)
    for (const auto& migration : executor->stop_migrations())
      fmt::print("page migration {}: {}\n", migration.ok ? "ended" : "failed", migration.line);
  fmt::print("coordinator: {} cycle(s), {} recommendation(s)\n", cycles, recommended);
  return 0;
}

}  // namespace

void register_run_command(CommandContext& context) {
  CLI::App* sub = context.app().add_subcommand(
      "run", "Run the placement coordinator: recommendations with evidence (dry run), or act with --apply");
  static RunOptions options;
  sub->add_flag("--apply", options.apply, "Act on the recommendations (journaled first; undo with `revert`)");
  sub->add_option("--duration", options.duration, "Stop after this many seconds (0: until the source ends)")
      ->check(CLI::Range(0.0, 1e9));
  sub->add_option("--replay", options.replay, "Read snapshots from a recording (`record`) instead of the live pipeline");
  sub->add_option("--journal", options.journal, "Journal file (default: coordinator.journal_path)");
  add_scope_options(sub, options.scope);
  GlobalOptions& globals = context.globals();
  context.on_run(sub, [&globals] { return run_loop(globals, options); });
}

}  // namespace aurora::cli
