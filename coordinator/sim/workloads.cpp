// The simulator's workloads: each one a situation the placement policies must handle.
#include <fmt/format.h>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

std::vector<std::pair<std::string, std::string>> workload_catalogue() {
  return {{"mixed", "all of the below at once, sized to the machine (the default)"},
          {"misplaced", "one process per node: memory first-touched on one node, threads run on another"},
          {"crowded", "two processes started on node 0's CPUs and memory; the scheduler spills threads"},
          {"shared", "two processes on different nodes sharing one segment, first-touched on a third"},
          {"large", "a process with more memory than one node holds, threads spread across the machine"},
          {"phases", "a process whose application moves its threads to another node halfway"},
          {"crosswise", "pairs of processes, each running where the other's memory is, nodes full"}};
}

namespace {

constexpr int kFirstPid = 1000;

struct Builder {
  Model& m;
  int next_pid = kFirstPid;

  long chunks(double gib) const { return static_cast<long>(gib * 1024 / m.chunk_mib); }
  int uniform(int lo, int hi) { return lo + static_cast<int>(m.rng() % static_cast<std::uint64_t>(hi - lo + 1)); }
  double uniform_real(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(m.rng() % 10001) / 10000.0; }
  int cpu_node(int k) const { return m.cpu_nodes[((k % static_cast<int>(m.cpu_nodes.size())) + m.cpu_nodes.size()) % m.cpu_nodes.size()]; }

  SimProcess& add(const std::string& comm, int threads, const std::vector<int>& thread_nodes, double intensity) {
    SimProcess p;
    p.pid = next_pid++;
    p.comm = comm;
    p.intensity = intensity;
    // Threads busy three quarters of the time: a loaded but not saturated machine.
    for (int t = 0; t < threads; ++t) p.threads.push_back(SimThread{0.75, thread_nodes[t % thread_nodes.size()], {}});
    m.processes.push_back(std::move(p));
    return m.processes.back();
  }
  void map(int process_index, int object) {
    m.processes[process_index].objects.push_back(object);
    m.objects[object].users.push_back(process_index);
  }
  int last() const { return static_cast<int>(m.processes.size()) - 1; }

  void misplaced(int count) {
    const int nodes = static_cast<int>(m.cpu_nodes.size());
    for (int i = 0; i < count; ++i) {
      const int memory = cpu_node(i), runs = cpu_node(i + 1 + uniform(0, nodes - 2));
      add(fmt::format("misplaced{}", i), 2, {runs}, uniform_real(0.6, 1.0));
      map(last(), m.allocate(memory, chunks(uniform(1, 3))));
    }
  }
  void crowded(int threads) {
    for (int i = 0; i < 2; ++i) {
      add(fmt::format("crowded{}", i), threads, {cpu_node(0)}, 0.9);
      map(last(), m.allocate(cpu_node(0), chunks(2)));
    }
  }
  void shared() {
    const int segment = m.allocate(cpu_node(1), chunks(2));
    for (int i = 0; i < 2; ++i) {
      add(fmt::format("shared{}", i), 2, {cpu_node(2 + i)}, 0.9);
      map(last(), segment);
      map(last(), m.allocate(cpu_node(2 + i), chunks(0.25)));
    }
  }
  void large() {
    const int nodes = static_cast<int>(m.cpu_nodes.size());
    add("large", 4, {cpu_node(nodes / 2), cpu_node(nodes / 2 + 1)}, 0.8);
    map(last(), m.allocate(cpu_node(nodes - 1), chunks(20)));
  }
  void phases(double duration) {
    const int nodes = static_cast<int>(m.cpu_nodes.size());
    SimProcess& p = add("phases", 2, {cpu_node(0)}, 0.9);
    p.phase_time = duration / 2;
    p.phase_node = cpu_node(nodes - 1);
    map(last(), m.allocate(cpu_node(0), chunks(1.5)));
  }
  // Per pair of CPU nodes, two processes filling each node's CPUs three quarters (8 threads at
  // 0.75), each with 12 of the node's 16 GiB on the other node: no room to move either's threads
  // or memory alone; only a swap places both.
  void crosswise() {
    const int nodes = static_cast<int>(m.cpu_nodes.size());
    for (int pair = 0; pair + 1 < nodes; pair += 2) {
      for (int side = 0; side < 2; ++side) {
        const int runs = cpu_node(pair + side), memory = cpu_node(pair + 1 - side);
        add(fmt::format("crosswise{}", pair + side), 8, {runs}, 0.9);
        map(last(), m.allocate(memory, chunks(12)));
      }
    }
  }
  void local(int count) {
    for (int i = 0; i < count; ++i) {
      add(fmt::format("local{}", i), 2, {cpu_node(2 * i)}, 0.8);
      map(last(), m.allocate(cpu_node(2 * i), chunks(1)));
    }
  }
  void io() {
    SimProcess& p = add("io", 1, {cpu_node(1)}, 0.3);
    p.threads[0].demand = 0.4;
    p.io_bound = true;
    p.device_node = cpu_node(0);
    map(last(), m.allocate(cpu_node(1), chunks(0.5)));
  }
  void tiered() {
    for (int n = 0; n < m.nodes.size(); ++n) {
      if (m.nodes.cpu_capacity[n] > 0) continue;
      add("tiered", 3, {cpu_node(0)}, 0.9);
      map(last(), m.allocate(n, chunks(3)));
    }
  }
};

}  // namespace

Result<void> build_workload(const std::string& workload, double duration_seconds, Model& model) {
  Builder b{model};
  const int nodes = static_cast<int>(model.cpu_nodes.size());
  if (workload == "mixed") {
    // Sized so that a 2-node machine is about 80% busy and larger ones less.
    b.misplaced(nodes);
    b.crowded(nodes >= 4 ? 6 : 4);
    b.phases(duration_seconds);
    b.io();
    if (nodes >= 4) {
      b.shared();
      b.large();
      b.local(nodes / 2 - 1);
      b.tiered();
    }
  } else if (workload == "misplaced") {
    b.misplaced(nodes);
  } else if (workload == "crowded") {
    b.crowded(6);
  } else if (workload == "shared") {
    b.shared();
  } else if (workload == "large") {
    b.large();
  } else if (workload == "phases") {
    b.phases(duration_seconds);
  } else if (workload == "crosswise") {
    b.crosswise();
  } else {
    std::string names;
    for (const auto& [n, d] : workload_catalogue()) names += (names.empty() ? "" : ", ") + n;
    return fail(ErrorKind::kBadInput, fmt::format("unknown workload '{}'; use one of: {}", workload, names));
  }
  return {};
}

}  // namespace aurora::coord::sim
