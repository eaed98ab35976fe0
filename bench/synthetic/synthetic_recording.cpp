#include "synthetic_recording.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace aurora::synthetic {

namespace {

// splitmix64: a deterministic stream from (seed, a, b, c) without global state.
std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  std::uint64_t z = seed ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xbf58476d1ce4e5b9ull) ^
                    (c * 0x94d049bb133111ebull);
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr const char* kNames[] = {"postgres", "java", "nginx", "redis-server", "python3",
                                  "memcached", "envoy", "node", "mysqld", "a-very-long-comm-n"};

int threads_of_process(const Spec& spec, int index) {
  if (spec.processes <= 0) return 0;
  const int big = spec.processes > 1 ? spec.threads / 4 : spec.threads;
  if (index == 0) return std::max(1, big);
  const int rest = spec.threads - big;
  const int others = spec.processes - 1;
  return std::max(1, rest / others + (index - 1 < rest % others ? 1 : 0));
}

}  // namespace

Topology make_topology(const Spec& spec) {
  Topology t;
  int cpu = 0;
  for (int n = 0; n < spec.nodes; ++n) {
    NodeInfo node;
    node.id = n;
    node.memory_total_bytes = 64ull << 30;
    node.memory_free_bytes = (16ull << 30) + (mix(spec.seed, 7, static_cast<std::uint64_t>(n)) % (32ull << 30));
    node.memory_kind = "DRAM";
    for (int m = 0; m < spec.nodes; ++m) node.distances[m] = n == m ? 10 : (n / 4 == m / 4 ? 16 : 32);
    LlcGroup llc;
    llc.id = n;
    llc.size_bytes = 32ull << 20;
    for (int i = 0; i < spec.cpus_per_node; ++i, ++cpu) {
      node.cpus.push_back(cpu);
      llc.cpus.push_back(cpu);
      t.cpus.push_back({cpu, n, n / 2, i, n, {cpu}});
    }
    t.llc_groups.push_back(llc);
    t.nodes.push_back(std::move(node));
  }
  if (spec.nodes > 0) {
    t.devices.push_back({"0000:3b:00.0", "network", "0x020000", 0});
    t.devices.push_back({"0000:5e:00.0", "storage", "0x010802", spec.nodes - 1});
  }
  return t;
}

Snapshot make_snapshot(const Spec& spec, int index) {
  const auto seed = spec.seed;
  const auto snap = static_cast<std::uint64_t>(index);
  Snapshot s;
  s.interval_ns = spec.interval_ns;
  s.timestamp_ns = spec.start_timestamp_ns + snap * spec.interval_ns;
  const std::uint64_t node_cpu_capacity =
      spec.interval_ns * static_cast<std::uint64_t>(std::max(1, spec.cpus_per_node));
  for (int n = 0; n < spec.nodes; ++n) {
    const auto un = static_cast<std::uint64_t>(n);
    NodeSample node;
    node.id = n;
    // Busy time: the synthetic tasks' CPU time on the node (added below) plus background.
    node.cpu_busy_ns = node_cpu_capacity / 100 * (mix(seed, 1, un, snap) % 20);
    node.memory_total_bytes = 64ull << 30;
    node.memory_free_bytes = (8ull << 30) + mix(seed, 2, un, snap) % (48ull << 30);
    node.numa_faults_local = mix(seed, 3, un, snap) % 50000;
    node.numa_faults_remote = mix(seed, 4, un, snap) % (n % 3 == 2 ? 90000 : 10000);
    node.numa_moves = mix(seed, 5, un, snap) % 40;
    node.pages_migrated = mix(seed, 6, un, snap) % 20000;
    s.nodes.push_back(node);
  }
  // The last process exits after the first snapshot.
  const int processes = index == 0 ? spec.processes : std::max(0, spec.processes - 1);
  int next_tid = 100000;
  for (int p = 0; p < spec.processes; ++p) {
    const int thread_count = threads_of_process(spec, p);
    const int first_tid = next_tid;
    next_tid += thread_count;
    if (p >= processes) continue;
    const auto up = static_cast<std::uint64_t>(p);
    ProcessSample proc;
    proc.pid = 1000 + p;
    proc.comm = kNames[p % std::size(kNames)];
    if (p % 3 == 0) {
      proc.container = fmt::format("{:016x}{:016x}{:016x}{:016x}", mix(seed, 10, up),
                                   mix(seed, 11, up), mix(seed, 12, up), mix(seed, 13, up));
      proc.cgroup = fmt::format("/kubepods.slice/kubepods-burstable.slice/"
                                "kubepods-burstable-pod{:08x}.slice/cri-containerd-{}.scope",
                                mix(seed, 14, up) & 0xffffffffu, proc.container);
    } else {
      proc.cgroup = fmt::format("/system.slice/{}-{}.service", proc.comm, p % 7);
    }
    proc.threads = thread_count;
    const int home = spec.nodes > 0 ? static_cast<int>(mix(seed, 20, up) % static_cast<std::uint64_t>(spec.nodes)) : -1;
    proc.home_node = home;
    for (int t = 0; t < thread_count; ++t) {
      const auto ut = static_cast<std::uint64_t>(t);
      ThreadSample thread;
      thread.tid = t == 0 ? proc.pid : first_tid + t;
      thread.comm = t == 0 ? proc.comm : fmt::format("{}-w{}", proc.comm, t);
      // Mostly on the home node, a little elsewhere.
      // Up to 5% of a CPU each: a busy process has many threads, not many hot ones.
      const std::uint64_t busy = mix(seed, 30, up * 100000 + ut, snap) % (spec.interval_ns / 20 + 1);
      if (home >= 0) {
        thread.cpu_ns_by_node[home] = busy - busy / 8;
        const int other = (home + 1 + t) % spec.nodes;
        thread.cpu_ns_by_node[other] += busy / 8;
        thread.last_node = t % 5 == 0 ? other : home;
        thread.last_cpu = thread.last_node * spec.cpus_per_node + t % std::max(1, spec.cpus_per_node);
      }
      thread.voluntary_switches = mix(seed, 31, up * 100000 + ut, snap) % 500;
      thread.involuntary_switches = mix(seed, 32, up * 100000 + ut, snap) % 50;
      thread.runqueue_wait_ns = mix(seed, 33, up * 100000 + ut, snap) % 5'000'000;
      thread.migrations = mix(seed, 34, up * 100000 + ut, snap) % 30;
      thread.cross_llc_migrations = thread.migrations / 3;
      thread.cross_node_migrations = thread.migrations / 10;
      thread.numa_faults_local = mix(seed, 35, up * 100000 + ut, snap) % 200;
      thread.numa_faults_remote = mix(seed, 36, up * 100000 + ut, snap) % (p % 4 == 3 ? 400 : 60);
      thread.numa_moves = thread.cross_node_migrations;
      for (const auto& [node, ns] : thread.cpu_ns_by_node) proc.cpu_ns_by_node[node] += ns;
      proc.numa_faults_local += thread.numa_faults_local;
      proc.numa_faults_remote += thread.numa_faults_remote;
      proc.numa_moves += thread.numa_moves;
      proc.cross_node_migrations += thread.cross_node_migrations;
      proc.thread_samples.push_back(std::move(thread));
    }
    const std::uint64_t memory = (64ull << 20) + mix(seed, 40, up) % (8ull << 30);
    for (int n = 0; n < spec.nodes; ++n) {
      const std::uint64_t share = n == home ? memory - memory / 5 : memory / 5 / static_cast<std::uint64_t>(std::max(1, spec.nodes - 1));
      if (share > 0) proc.memory_bytes_by_node[n] = share;
    }
    proc.pages_migrated = mix(seed, 41, up, snap) % 3000;
    if (proc.numa_faults_local + proc.numa_faults_remote > 0) {
      proc.locality = static_cast<double>(proc.numa_faults_local) /
                      static_cast<double>(proc.numa_faults_local + proc.numa_faults_remote);
      proc.locality_source = "numa_hinting_faults";
    }
    for (const auto& [node, ns] : proc.cpu_ns_by_node)
      if (node >= 0 && node < spec.nodes) s.nodes[static_cast<std::size_t>(node)].cpu_busy_ns += ns;
    s.processes.push_back(std::move(proc));
  }
  for (NodeSample& node : s.nodes) node.cpu_busy_ns = std::min(node.cpu_busy_ns, node_cpu_capacity);
  return s;
}

Result<void> write_recording(const std::string& path, const Spec& spec) {
  RecordingHeader header;
  header.aurora_version = "synthetic";
  header.topology = make_topology(spec);
  header.options = {{"synthetic", true},
                    {"nodes", spec.nodes},
                    {"processes", spec.processes},
                    {"threads", spec.threads},
                    {"seed", spec.seed}};
  auto writer = RecordingWriter::create(path, header);
  if (!writer) return tl::unexpected(writer.error());
  for (int i = 0; i < spec.snapshots; ++i)
    if (auto ok = writer->append(make_snapshot(spec, i)); !ok) return ok;
  return {};
}

}  // namespace aurora::synthetic
