// One simulation run: build the machine and workload, tick the scheduler, the policy and the
// accounting, and sum up the figures the policies are compared by.
#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

const char* to_string(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kNone: return "none";
    case PolicyKind::kNumadLike: return "numad";
    case PolicyKind::kAutoNumaLike: return "autonuma";
    case PolicyKind::kAurora: return "aurora";
    case PolicyKind::kAuroraWithAutoNuma: return "aurora+autonuma";
  }
  return "unknown";
}

Result<PolicyKind> parse_policy(const std::string& name) {
  for (PolicyKind k : {PolicyKind::kNone, PolicyKind::kNumadLike, PolicyKind::kAutoNumaLike, PolicyKind::kAurora,
                       PolicyKind::kAuroraWithAutoNuma})
    if (name == to_string(k)) return k;
  return fail(ErrorKind::kBadInput,
              fmt::format("unknown policy '{}'; use none, numad, autonuma, aurora or aurora+autonuma", name));
}

Result<SimResult> run_simulation(const Topology& topology, const std::string& shape_name, PolicyKind policy,
                                 const SimConfig& config) {
  if (config.tick_seconds <= 0 || config.duration_seconds <= 0 || config.chunk_mib <= 0)
    return fail(ErrorKind::kBadInput, "simulation duration, tick and chunk size must be positive");
  Model m;
  m.topology = &topology;
  m.nodes = NodeTable::from_topology(topology);
  m.chunk_mib = config.chunk_mib;
  m.rng.seed(config.seed);
  for (int i = 0; i < m.nodes.size(); ++i) {
    if (m.nodes.cpu_capacity[i] > 0) m.cpu_nodes.push_back(i);
    m.capacity_chunks.push_back(static_cast<long>(m.nodes.memory_total[i] / m.chunk_bytes()));
    m.used_chunks.push_back(0);
  }
  if (m.cpu_nodes.size() < 2)
    return fail(ErrorKind::kBadInput,
                fmt::format("topology '{}' has {} node(s) with CPUs; the simulator needs at least 2", shape_name,
                            m.cpu_nodes.size()));
  if (auto ok = build_workload(config.workload, config.duration_seconds, m); !ok) return tl::unexpected(ok.error());

  std::optional<NumadLike> numad;
  std::optional<AutoNumaLike> autonuma;
  std::optional<AuroraDriver> aurora;
  if (policy == PolicyKind::kNumadLike) numad.emplace(config.numad);
  if (policy == PolicyKind::kAutoNumaLike || policy == PolicyKind::kAuroraWithAutoNuma) autonuma.emplace(config.autonuma);
  if (policy == PolicyKind::kAurora || policy == PolicyKind::kAuroraWithAutoNuma)
    aurora.emplace(config.aurora, config.aurora_interval_seconds);

  if (config.on_snapshot && aurora)
    return fail(ErrorKind::kBadInput, "recording snapshots works with the none, numad and autonuma policies only");
  double next_record = config.record_interval_seconds;
  SimResult r;
  r.policy = to_string(policy);
  r.shape = shape_name;
  r.workload = config.workload;
  r.seed = config.seed;
  r.duration_seconds = config.duration_seconds;
  double distance_sum = 0, remote_sum = 0, imbalance_sum = 0;
  int ticks = 0;
  const std::uint64_t pages_per_chunk = m.chunk_bytes() / 4096;
  for (double now = 0; now < config.duration_seconds - 1e-9; now += config.tick_seconds) {
    schedule(m, now);
    double weighted = 1.0;
    SimSample sample = account(m, now, config.tick_seconds, &weighted);
    if (numad) numad->tick(m, now);
    if (autonuma) autonuma->tick(m, now, config.tick_seconds);
    if (aurora) aurora->tick(m, now, config.tick_seconds);
    if (config.on_snapshot && now + config.tick_seconds >= next_record - 1e-9) {
      Snapshot snapshot = take_snapshot(m, config.record_interval_seconds);
      snapshot.timestamp_ns = static_cast<std::uint64_t>((now + config.tick_seconds) * 1e9);
      config.on_snapshot(snapshot);
      next_record += config.record_interval_seconds;
    }
    r.samples.push_back(sample);
    distance_sum += weighted;
    remote_sum += sample.remote_share;
    imbalance_sum += sample.load_imbalance;
    ++ticks;
    if (r.time_to_90_local_seconds < 0 && sample.remote_share <= 0.10) r.time_to_90_local_seconds = now;
  }
  r.mean_remote_share = ticks ? remote_sum / ticks : 0;
  r.mean_weighted_distance = ticks ? distance_sum / ticks : 1;
  r.mean_load_imbalance = ticks ? imbalance_sum / ticks : 0;
  const std::size_t tail = std::max<std::size_t>(1, r.samples.size() / 10);
  double tail_sum = 0;
  for (std::size_t i = r.samples.size() - tail; i < r.samples.size(); ++i) tail_sum += r.samples[i].remote_share;
  r.final_remote_share = tail_sum / tail;
  r.pages_migrated = m.chunks_migrated * pages_per_chunk;
  r.thread_moves = m.thread_moves;
  r.policy_actions = m.actions;
  r.notes = std::move(m.notes);
  return r;
}

void to_json(nlohmann::json& out, const SimResult& r) {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : r.samples)
    samples.push_back({{"t", s.time_seconds}, {"remote_share", s.remote_share}, {"load_imbalance", s.load_imbalance}});
  out = {{"policy", r.policy},
         {"shape", r.shape},
         {"workload", r.workload},
         {"seed", r.seed},
         {"duration_seconds", r.duration_seconds},
         {"mean_remote_share", r.mean_remote_share},
         {"final_remote_share", r.final_remote_share},
         {"time_to_90_local_seconds", r.time_to_90_local_seconds < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.time_to_90_local_seconds)},
         {"mean_weighted_distance", r.mean_weighted_distance},
         {"pages_migrated", r.pages_migrated},
         {"thread_moves", r.thread_moves},
         {"policy_actions", r.policy_actions},
         {"mean_load_imbalance", r.mean_load_imbalance},
         {"notes", r.notes},
         {"samples", samples}};
}

}  // namespace aurora::coord::sim
