#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aurora/snapshot.hpp"

namespace aurora {

using nlohmann::json;

namespace {

json counters_to_json(const NodeCounters& counters) {
  json out = json::object();
  for (const auto& [node, value] : counters) out[std::to_string(node)] = value;
  return out;
}

NodeCounters counters_from_json(const json& in) {
  NodeCounters out;
  if (in.is_null()) return out;
  for (const auto& [key, value] : in.items()) out[std::stoi(key)] = value.get<std::uint64_t>();
  return out;
}

json optional_to_json(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

std::optional<double> optional_from_json(const json& in, const char* key) {
  if (!in.contains(key) || in.at(key).is_null()) return std::nullopt;
  return in.at(key).get<double>();
}

template <class T>
T value_or(const json& in, const char* key, T fallback) {
  return in.contains(key) && !in.at(key).is_null() ? in.at(key).get<T>() : fallback;
}

json thread_to_json(const ThreadSample& t) {
  return {{"tid", t.tid},
          {"comm", t.comm},
          {"cpu_ns_by_node", counters_to_json(t.cpu_ns_by_node)},
          {"last_cpu", t.last_cpu},
          {"last_node", t.last_node},
          {"voluntary_switches", t.voluntary_switches},
          {"involuntary_switches", t.involuntary_switches},
          {"runqueue_wait_ns", t.runqueue_wait_ns},
          {"migrations", t.migrations},
          {"cross_llc_migrations", t.cross_llc_migrations},
          {"cross_node_migrations", t.cross_node_migrations},
          {"numa_faults_local", t.numa_faults_local},
          {"numa_faults_remote", t.numa_faults_remote},
          {"numa_moves", t.numa_moves},
          {"numa_stick", t.numa_stick},
          {"pages_migrated", t.pages_migrated}};
}

ThreadSample thread_from_json(const json& in) {
  ThreadSample t;
  t.tid = in.at("tid").get<int>();
  t.comm = value_or<std::string>(in, "comm", "");
  t.cpu_ns_by_node = counters_from_json(value_or<json>(in, "cpu_ns_by_node", json()));
  t.last_cpu = value_or(in, "last_cpu", -1);
  t.last_node = value_or(in, "last_node", -1);
  t.voluntary_switches = value_or<std::uint64_t>(in, "voluntary_switches", 0);
  t.involuntary_switches = value_or<std::uint64_t>(in, "involuntary_switches", 0);
  t.runqueue_wait_ns = value_or<std::uint64_t>(in, "runqueue_wait_ns", 0);
  t.migrations = value_or<std::uint64_t>(in, "migrations", 0);
  t.cross_llc_migrations = value_or<std::uint64_t>(in, "cross_llc_migrations", 0);
  t.cross_node_migrations = value_or<std::uint64_t>(in, "cross_node_migrations", 0);
  t.numa_faults_local = value_or<std::uint64_t>(in, "numa_faults_local", 0);
  t.numa_faults_remote = value_or<std::uint64_t>(in, "numa_faults_remote", 0);
  t.numa_moves = value_or<std::uint64_t>(in, "numa_moves", 0);
  t.numa_stick = value_or<std::uint64_t>(in, "numa_stick", 0);
  t.pages_migrated = value_or<std::uint64_t>(in, "pages_migrated", 0);
  return t;
}

json process_to_json(const ProcessSample& p) {
  json threads = json::array();
  for (const ThreadSample& t : p.thread_samples) threads.push_back(thread_to_json(t));
  return {{"pid", p.pid},
          {"comm", p.comm},
          {"cgroup", p.cgroup},
          {"container", p.container},
          {"threads", p.threads},
          {"cpu_ns_by_node", counters_to_json(p.cpu_ns_by_node)},
          {"memory_bytes_by_node", counters_to_json(p.memory_bytes_by_node)},
          {"file_bytes_by_node", counters_to_json(p.file_bytes_by_node)},
          {"numa_faults_local", p.numa_faults_local},
          {"numa_faults_remote", p.numa_faults_remote},
          {"numa_moves", p.numa_moves},
          {"pages_migrated", p.pages_migrated},
          {"cross_node_migrations", p.cross_node_migrations},
          {"locality", optional_to_json(p.locality)},
          {"locality_source", p.locality_source},
          {"home_node", p.home_node},
          {"thread_samples", threads}};
}

ProcessSample process_from_json(const json& in) {
  ProcessSample p;
  p.pid = in.at("pid").get<int>();
  p.comm = value_or<std::string>(in, "comm", "");
  p.cgroup = value_or<std::string>(in, "cgroup", "");
  p.container = value_or<std::string>(in, "container", "");
  p.threads = value_or(in, "threads", 0);
  p.cpu_ns_by_node = counters_from_json(value_or<json>(in, "cpu_ns_by_node", json()));
  p.memory_bytes_by_node = counters_from_json(value_or<json>(in, "memory_bytes_by_node", json()));
  p.file_bytes_by_node = counters_from_json(value_or<json>(in, "file_bytes_by_node", json()));
  p.numa_faults_local = value_or<std::uint64_t>(in, "numa_faults_local", 0);
  p.numa_faults_remote = value_or<std::uint64_t>(in, "numa_faults_remote", 0);
  p.numa_moves = value_or<std::uint64_t>(in, "numa_moves", 0);
  p.pages_migrated = value_or<std::uint64_t>(in, "pages_migrated", 0);
  p.cross_node_migrations = value_or<std::uint64_t>(in, "cross_node_migrations", 0);
  p.locality = optional_from_json(in, "locality");
  p.locality_source = value_or<std::string>(in, "locality_source", "");
  p.home_node = value_or(in, "home_node", -1);
  if (in.contains("thread_samples"))
    for (const json& t : in.at("thread_samples")) p.thread_samples.push_back(thread_from_json(t));
  return p;
}

json cgroup_to_json(const CgroupSample& c) {
  return {{"path", c.path},
          {"container", c.container},
          {"processes", c.processes},
          {"threads", c.threads},
          {"cpu_ns_by_node", counters_to_json(c.cpu_ns_by_node)},
          {"memory_bytes_by_node", counters_to_json(c.memory_bytes_by_node)},
          {"numa_faults_local", c.numa_faults_local},
          {"numa_faults_remote", c.numa_faults_remote},
          {"locality", optional_to_json(c.locality)}};
}

CgroupSample cgroup_from_json(const json& in) {
  CgroupSample c;
  c.path = in.at("path").get<std::string>();
  c.container = value_or<std::string>(in, "container", "");
  c.processes = value_or(in, "processes", 0);
  c.threads = value_or(in, "threads", 0);
  c.cpu_ns_by_node = counters_from_json(value_or<json>(in, "cpu_ns_by_node", json()));
  c.memory_bytes_by_node = counters_from_json(value_or<json>(in, "memory_bytes_by_node", json()));
  c.numa_faults_local = value_or<std::uint64_t>(in, "numa_faults_local", 0);
  c.numa_faults_remote = value_or<std::uint64_t>(in, "numa_faults_remote", 0);
  c.locality = optional_from_json(in, "locality");
  return c;
}

}  // namespace

void to_json(json& out, const Snapshot& s) {
  json probes = json::array();
  for (const ProbeStatus& p : s.probes)
    probes.push_back({{"name", p.name}, {"active", p.active}, {"reason", p.reason}});
  json nodes = json::array();
  for (const NodeSample& n : s.nodes)
    nodes.push_back({{"id", n.id},
                     {"cpu_busy_ns", n.cpu_busy_ns},
                     {"memory_total_bytes", n.memory_total_bytes},
                     {"memory_free_bytes", n.memory_free_bytes},
                     {"numa_faults_local", n.numa_faults_local},
                     {"numa_faults_remote", n.numa_faults_remote},
                     {"numa_moves", n.numa_moves},
                     {"pages_migrated", n.pages_migrated},
                     {"context_switches", n.context_switches},
                     {"runqueue_wait_ns", n.runqueue_wait_ns},
                     {"runqueue_wait_log2_ns", n.runqueue_wait_log2_ns}});
  json processes = json::array();
  for (const ProcessSample& p : s.processes) processes.push_back(process_to_json(p));
  json cgroups = json::array();
  for (const CgroupSample& c : s.cgroups) cgroups.push_back(cgroup_to_json(c));
  json programs = json::array();
  for (const BpfProgramCost& p : s.self.programs)
    programs.push_back(
        {{"name", p.name}, {"run_count", p.run_count}, {"run_time_ns", p.run_time_ns}});
  json events = json::array();
  for (const EventSample& e : s.events)
    events.push_back({{"kind", e.kind}, {"tid", e.tid}, {"pid", e.pid},
                      {"src_node", e.src_node}, {"dst_node", e.dst_node},
                      {"pages", e.pages}, {"detail", e.detail}});
  out = {{"timestamp_ns", s.timestamp_ns},
         {"interval_ns", s.interval_ns},
         {"events_lost", s.events_lost},
         {"threads_dropped", s.threads_dropped},
         {"sources", s.sources},
         {"system", {{"numa_hint_faults", s.system.numa_hint_faults},
                     {"numa_hint_faults_local", s.system.numa_hint_faults_local},
                     {"numa_pages_migrated", s.system.numa_pages_migrated},
                     {"pages_migrated_by_reason", s.system.pages_migrated_by_reason}}},
         {"probes", probes},
         {"nodes", nodes},
         {"processes", processes},
         {"cgroups", cgroups},
         {"events", events},
         {"self", {{"cpu_ns", s.self.cpu_ns}, {"rss_bytes", s.self.rss_bytes},
                   {"bpf_programs", programs}}}};
}

Result<Snapshot> snapshot_from_json(const json& in) {
  try {
    Snapshot s;
    s.timestamp_ns = value_or<std::uint64_t>(in, "timestamp_ns", 0);
    s.interval_ns = in.at("interval_ns").get<std::uint64_t>();
    s.events_lost = value_or<std::uint64_t>(in, "events_lost", 0);
    s.threads_dropped = value_or<std::uint64_t>(in, "threads_dropped", 0);
    s.sources = value_or<std::map<std::string, std::string>>(in, "sources", {});
    if (in.contains("system")) {
      const json& system = in.at("system");
      s.system.numa_hint_faults = value_or<std::uint64_t>(system, "numa_hint_faults", 0);
      s.system.numa_hint_faults_local =
          value_or<std::uint64_t>(system, "numa_hint_faults_local", 0);
      s.system.numa_pages_migrated = value_or<std::uint64_t>(system, "numa_pages_migrated", 0);
      s.system.pages_migrated_by_reason = value_or<std::map<std::string, std::uint64_t>>(
          system, "pages_migrated_by_reason", {});
    }
    if (in.contains("probes"))
      for (const json& p : in.at("probes"))
        s.probes.push_back({p.at("name").get<std::string>(), p.at("active").get<bool>(),
                            value_or<std::string>(p, "reason", "")});
    for (const json& n : in.at("nodes")) {
      NodeSample node;
      node.id = n.at("id").get<int>();
      node.cpu_busy_ns = value_or<std::uint64_t>(n, "cpu_busy_ns", 0);
      node.memory_total_bytes = value_or<std::uint64_t>(n, "memory_total_bytes", 0);
      node.memory_free_bytes = value_or<std::uint64_t>(n, "memory_free_bytes", 0);
      node.numa_faults_local = value_or<std::uint64_t>(n, "numa_faults_local", 0);
      node.numa_faults_remote = value_or<std::uint64_t>(n, "numa_faults_remote", 0);
      node.numa_moves = value_or<std::uint64_t>(n, "numa_moves", 0);
      node.pages_migrated = value_or<std::uint64_t>(n, "pages_migrated", 0);
      node.context_switches = value_or<std::uint64_t>(n, "context_switches", 0);
      node.runqueue_wait_ns = value_or<std::uint64_t>(n, "runqueue_wait_ns", 0);
      node.runqueue_wait_log2_ns = value_or<std::vector<std::uint64_t>>(
          n, "runqueue_wait_log2_ns", {});
      s.nodes.push_back(node);
    }
    for (const json& p : in.at("processes")) s.processes.push_back(process_from_json(p));
    if (in.contains("cgroups"))
      for (const json& c : in.at("cgroups")) s.cgroups.push_back(cgroup_from_json(c));
    if (in.contains("events"))
      for (const json& e : in.at("events"))
        s.events.push_back({e.at("kind").get<std::string>(), value_or(e, "tid", 0),
                            value_or(e, "pid", 0), value_or(e, "src_node", -1),
                            value_or(e, "dst_node", -1), value_or<std::uint64_t>(e, "pages", 0),
                            value_or<std::string>(e, "detail", "")});
    if (in.contains("self")) {
      const json& self = in.at("self");
      s.self.cpu_ns = value_or<std::uint64_t>(self, "cpu_ns", 0);
      s.self.rss_bytes = value_or<std::uint64_t>(self, "rss_bytes", 0);
      if (self.contains("bpf_programs"))
        for (const json& p : self.at("bpf_programs"))
          s.self.programs.push_back({p.at("name").get<std::string>(),
                                     value_or<std::uint64_t>(p, "run_count", 0),
                                     value_or<std::uint64_t>(p, "run_time_ns", 0)});
    }
    return s;
  } catch (const std::exception& e) {
    return fail(ErrorKind::kBadInput, fmt::format("snapshot record is malformed: {}", e.what()));
  }
}

}  // namespace aurora
