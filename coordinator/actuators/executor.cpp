#include "aurora/coordinator/executor.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/process_handle.hpp"
#include "aurora/cpu_list.hpp"
#include "migration_worker.hpp"

namespace aurora::coord {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json follow_up(const nlohmann::json& intent, const std::string& phase, const std::string& message) {
  return {{"id", intent["id"]}, {"phase", phase}, {"time", now_seconds()}, {"kind", intent["kind"]},
          {"pid", intent["pid"]}, {"message", message}};
}

}  // namespace

Executor::Executor(Journal& journal, const Topology& topology, ExecutorOptions options)
    : journal_(journal), topology_(topology), options_(std::move(options)) {}

Executor::~Executor() = default;  // the worker's destructor stops it; its records are journaled

Result<void> Executor::journal_append(const nlohmann::json& record) {
  std::lock_guard lock(journal_mutex_);
  return journal_.append(record);
}

nlohmann::json Executor::intent(const std::string& kind, int pid, std::uint64_t start_time, const std::string& summary) {
  std::string id;
  {
    std::lock_guard lock(journal_mutex_);
    id = journal_.next_id();
  }
  return {{"id", id}, {"phase", "intent"}, {"time", now_seconds()}, {"kind", kind},
          {"pid", pid},           {"start_time", start_time}, {"summary", summary}};
}

ActionOutcome Executor::set_process_affinity(int pid, const std::vector<int>& cpus, const std::string& summary) {
  auto handle = ProcessHandle::open(pid);
  if (!handle) return {false, fmt::format("pid {}: {}; skipped", pid, handle.error().message)};
  const HostRoot live("/");
  // Never beyond its cpuset, never an offline CPU.
  auto allowed = cpuset_cpus_of(live, pid);
  if (!allowed) return {false, fmt::format("pid {}: {}; skipped", pid, allowed.error().message)};
  std::vector<int> target;
  for (int c : cpus)
    if (std::find(allowed->begin(), allowed->end(), c) != allowed->end()) target.push_back(c);
  if (target.empty())
    return {false, fmt::format("pid {}: its cpuset allows CPUs {}, none of the chosen {}; skipped", pid,
                               format_cpu_list(*allowed), format_cpu_list(cpus))};
  auto tids = list_threads(live, pid);
  if (!tids) return {false, fmt::format("pid {}: {}; skipped", pid, tids.error().message)};
  nlohmann::json undo = nlohmann::json::object();
  for (int tid : *tids)
    if (auto mask = get_thread_affinity(tid)) undo[std::to_string(tid)] = format_cpu_list(*mask);
  nlohmann::json record = intent("affinity", pid, handle->identity().start_time, summary);
  record["undo"] = undo;
  record["target"] = format_cpu_list(target);
  if (auto ok = journal_append(record); !ok) return {false, ok.error().message};
  if (options_.after_intent) options_.after_intent(pid);
  if (auto alive = handle->verify(); !alive) {
    (void)journal_append(follow_up(record, "failed", alive.error().message));
    return {false, fmt::format("pid {}: {} before its affinity was set; journal closed", pid, alive.error().message)};
  }
  int set = 0, gone = 0;
  std::string error;
  for (int tid : *tids) {
    auto ok = set_thread_affinity(tid, target);
    if (ok) ++set;
    else if (ok.error().kind == ErrorKind::kNotFound) ++gone;
    else error = ok.error().message;
  }
  if (set == 0) {
    nlohmann::json failed = follow_up(record, "failed", error.empty() ? fmt::format("pid {} exited", pid) : error);
    (void)journal_append(failed);
    return {false, fmt::format("pid {}: affinity not set: {}", pid, failed["message"].get<std::string>())};
  }
  const std::string message = fmt::format("{} thread(s) set to CPUs {}{}{}", set, format_cpu_list(target),
                                          gone ? fmt::format(", {} exited meanwhile", gone) : "",
                                          error.empty() ? "" : ", some refused: " + error);
  (void)journal_append(follow_up(record, "done", message));
  return {true, fmt::format("pid {}: {}", pid, message)};
}

ActionOutcome Executor::set_cgroup_cpuset(const std::string& dir, const std::vector<int>& cpus,
                                          const std::vector<int>& mems, const std::string& summary) {
  auto state = read_cpuset(dir);
  if (!state) return {false, fmt::format("cgroup {}: {}; skipped", dir, state.error().message)};
  nlohmann::json record = intent("cpuset", 0, 0, summary);
  record["cgroup_dir"] = dir;
  record["undo"] = {{"cpus", state->cpus}, {"mems", state->mems}, {"v2", state->v2}};
  record["target"] = {{"cpus", format_cpu_list(cpus)}, {"mems", format_cpu_list(mems)}};
  if (auto ok = journal_append(record); !ok) return {false, ok.error().message};
  if (auto ok = narrow_cpuset(dir, cpus, mems); !ok) {
    (void)journal_append(follow_up(record, "failed", ok.error().message));
    return {false, ok.error().message};
  }
  (void)journal_append(follow_up(record, "done", "narrowed"));
  return {true, fmt::format("cgroup {}: cpuset.cpus {} cpuset.mems {} (was '{}' / '{}')", dir, format_cpu_list(cpus),
                            format_cpu_list(mems), state->cpus, state->mems)};
}

ActionOutcome Executor::migrate_memory(int pid, const std::vector<int>& nodes, const std::string& summary,
                                       const std::function<bool()>& stop_requested, std::uint64_t max_bytes) {
  auto handle = ProcessHandle::open(pid);
  if (!handle) return {false, fmt::format("pid {}: {}; skipped", pid, handle.error().message)};
  nlohmann::json record = intent("memory", pid, handle->identity().start_time, summary);
  record["target"] = nodes;
  // What revert needs to move memory back: the nodes not targeted (where it came from).
  std::vector<int> from;
  for (const auto& n : topology_.nodes)
    if (std::find(nodes.begin(), nodes.end(), n.id) == nodes.end()) from.push_back(n.id);
  record["undo"] = {{"from_nodes", from}};
  if (max_bytes > 0) record["max_bytes"] = max_bytes;
  if (auto ok = journal_append(record); !ok) return {false, ok.error().message};
  if (options_.after_intent) options_.after_intent(pid);
  const auto stopping = [&] {
    return (stop_requested && stop_requested()) || (options_.should_stop && options_.should_stop());
  };
  const std::uint64_t page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  auto moved = migrate_process_memory(*handle, nodes, options_.migration, stopping,
                                      (max_bytes + page_size - 1) / page_size);
  if (!moved) {
    nlohmann::json failed = follow_up(record, "failed", moved.error().message);
    (void)journal_append(failed);
    return {false, fmt::format("pid {}: page migration stopped: {}", pid, moved.error().message)};
  }
  std::string why_failed;
  for (const auto& [error, pages] : moved->failures_by_errno)
    why_failed += fmt::format("{}{}: {}", why_failed.empty() ? " (" : ", ",
                              error == 0 ? "landed elsewhere" : strerrorname_np(error) ? strerrorname_np(error) : "?", pages);
  if (!why_failed.empty()) why_failed += ")";
  const std::string message = fmt::format(
      "{} page(s) moved to node {}, {} failed{}, {} left in small mappings, {} resident examined, {:.2f} s in {} "
      "call(s){}",
      moved->pages_moved, format_cpu_list(nodes), moved->pages_failed, why_failed, moved->pages_left_small,
      moved->pages_seen, moved->seconds, moved->move_calls,
      moved->stopped         ? "; stopped early: the monitor is stopping"
      : moved->reached_limit ? fmt::format("; as much as fits ({} MiB) moved, the rest stays", max_bytes >> 20)
                             : "");
  nlohmann::json done = follow_up(record, "done", message);
  done["pages_moved"] = moved->pages_moved;
  done["pages_failed"] = moved->pages_failed;
  // What revert needs, now that it is known: where each moved page was ([address, pages,
  // node] runs; none when nothing moved, so revert moves nothing), or, past
  // kMaxRecordedPageRuns runs, the nodes they left.
  if (moved->moved_from_complete) {
    nlohmann::json runs = nlohmann::json::array();
    for (const PageRun& run : moved->moved_from) runs.push_back({run.start, run.pages, run.node});
    done["undo"] = {{"pages", std::move(runs)}};
  } else {
    std::vector<int> left;
    for (const auto& [node, pages] : moved->pages_moved_from_node) left.push_back(node);
    done["undo"] = {{"from_nodes", left}};
  }
  (void)journal_append(done);
  return {true, fmt::format("pid {}: {}", pid, message), pid, moved->pages_moved * page_size, moved->seconds};
}

ActionOutcome Executor::start_in_background(const MigrationRequest& request) {
  if (!worker_)
    worker_ = std::make_unique<MigrationWorker>(
        [this](const MigrationRequest& r, const std::function<bool()>& stop_requested) {
          if (r.cgroup_dir.empty()) return migrate_memory(r.pid, r.nodes, r.summary, stop_requested, r.max_bytes);
          const auto started = std::chrono::steady_clock::now();
          ActionOutcome outcome = set_cgroup_cpuset(r.cgroup_dir, r.cpus, r.nodes, r.summary);
          outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
          if (outcome.ok) outcome.line += fmt::format("; the kernel moved its pages in {:.1f} s", outcome.seconds);
          return outcome;
        });
  const int pid = request.pid;
  const std::string nodes = format_cpu_list(request.nodes);
  if (!worker_->submit(request))
    return {false, fmt::format("pid {}: not queued: its memory is already being moved, or the coordinator is stopping", pid), pid};
  if (!request.cgroup_dir.empty())
    return {true, fmt::format("cgroup {}: narrowing cpuset.mems to node {} in the background (the kernel moves its pages)",
                              request.cgroup_dir, nodes), pid};
  return {true, fmt::format("pid {}: moving its memory to node {} in the background", pid, nodes), pid};
}

std::vector<ActionOutcome> Executor::finished_migrations() {
  return worker_ ? worker_->take_finished() : std::vector<ActionOutcome>{};
}

std::set<int> Executor::migrating_pids() const { return worker_ ? worker_->busy() : std::set<int>{}; }

std::vector<ActionOutcome> Executor::stop_migrations() {
  return worker_ ? worker_->stop() : std::vector<ActionOutcome>{};
}

std::vector<ActionOutcome> Executor::apply(const Decision& d) {
  std::vector<ActionOutcome> out;
  std::vector<int> cpus;
  for (int node : d.target_nodes)
    if (const NodeInfo* info = topology_.node(node)) cpus.insert(cpus.end(), info->cpus.begin(), info->cpus.end());
  std::sort(cpus.begin(), cpus.end());
  const bool threads = d.sets_thread_affinity();
  const bool memory = d.moves_memory();
  if (!d.container.empty() && !d.cgroup.empty()) {
    // A container: its cgroup's cpuset is the interface; narrowing cpuset.mems also makes the
    // kernel place new memory there.
    std::string dir;
    for (const std::string& base : {options_.cgroup_root + "/cpuset", options_.cgroup_root, options_.cgroup_root + "/unified"})
      if (std::filesystem::exists(base + d.cgroup + "/cpuset.cpus")) {
        dir = base + d.cgroup;
        break;
      }
    if (dir.empty()) {
      out.push_back({false, fmt::format("container {}: no cpuset for cgroup {} (it disappeared, or the cpuset controller is "
                                        "not enabled there); skipped", d.container, d.cgroup)});
      return out;
    }
    auto have_cpus = cpuset_effective_cpus(dir);
    auto have_mems = cpuset_effective_mems(dir);
    if (!have_cpus || !have_mems) {
      out.push_back({false, fmt::format("container {}: cannot read its cpuset; skipped", d.container)});
      return out;
    }
    std::vector<int> new_cpus = *have_cpus, new_mems = *have_mems;
    if (threads) {
      new_cpus.clear();
      for (int c : cpus)
        if (std::find(have_cpus->begin(), have_cpus->end(), c) != have_cpus->end()) new_cpus.push_back(c);
    }
    if (memory) new_mems = d.target_nodes;
    if (new_cpus.empty()) {
      out.push_back({false, fmt::format("container {}: its cpuset allows CPUs {}, none of the chosen {}; a cpuset is "
                                        "never widened, skipped",
                                        d.container, format_cpu_list(*have_cpus), format_cpu_list(cpus))});
      return out;
    }
    // Narrowing cpuset.mems makes the kernel migrate the cgroup's pages before the write
    // returns: off the policy's thread, as move_pages migrations are.
    if (memory && new_mems != *have_mems && !d.pids.empty())
      out.push_back(start_in_background({d.pids.front(), new_mems, d.summary, 0, dir, new_cpus}));
    else
      out.push_back(set_cgroup_cpuset(dir, new_cpus, new_mems, d.summary));
    return out;
  }
  for (int pid : d.pids) {
    if (threads) {
      out.push_back(set_process_affinity(pid, cpus, d.summary));
      out.back().pid = pid;
    }
    if (memory)
      out.push_back(start_in_background({pid, d.target_nodes, d.summary, d.partial_memory ? d.bytes_to_migrate : 0, {}, {}}));
  }
  return out;
}

ActionOutcome revert_action(const nlohmann::json& intent, Journal& journal, bool move_memory,
                            const MigrationPace& migration) {
  const std::string kind = intent.value("kind", "");
  const int pid = intent.value("pid", 0);
  auto finish = [&](const std::string& message) {
    (void)journal.append(follow_up(intent, "reverted", message));
    return ActionOutcome{true, message};
  };
  if (kind == "cpuset") {
    CpusetState state;
    state.dir = intent.value("cgroup_dir", "");
    state.cpus = intent["undo"].value("cpus", "");
    state.mems = intent["undo"].value("mems", "");
    state.v2 = intent["undo"].value("v2", true);
    auto ok = restore_cpuset(state);
    if (!ok && ok.error().kind == ErrorKind::kNotFound) return finish(ok.error().message);
    if (!ok) return {false, ok.error().message};
    return finish(fmt::format("cgroup {}: cpuset.cpus '{}' cpuset.mems '{}' restored", state.dir, state.cpus, state.mems));
  }
  auto handle = ProcessHandle::open(pid, intent.value("start_time", std::uint64_t{0}));
  if (!handle && handle.error().kind == ErrorKind::kNotFound)
    return finish(fmt::format("pid {}: {}; nothing to restore", pid, handle.error().message));
  if (!handle) return {false, fmt::format("pid {}: {}", pid, handle.error().message)};
  if (kind == "affinity") {
    const auto& undo = intent["undo"];
    // Threads started after the action get the mask the main thread had.
    const std::string main_mask = undo.value(std::to_string(pid), undo.empty() ? "" : undo.begin().value().get<std::string>());
    auto tids = list_threads(HostRoot("/"), pid);
    if (!tids) return finish(fmt::format("pid {}: {}; nothing to restore", pid, tids.error().message));
    int restored = 0;
    for (int tid : *tids) {
      const std::string mask = undo.value(std::to_string(tid), main_mask);
      auto cpus = parse_cpu_list(mask);
      if (!cpus || cpus->empty()) continue;
      if (set_thread_affinity(tid, *cpus)) ++restored;
    }
    return finish(fmt::format("pid {}: {} thread mask(s) restored", pid, restored));
  }
  if (kind == "memory") {
    if (!move_memory)
      return {false, fmt::format("pid {}: its memory stays where it was moved (revert --memory moves it back)", pid)};
    const nlohmann::json undo = intent.value("undo", nlohmann::json::object());
    if (!undo.is_object())
      return {false, fmt::format("journal record {}: its undo is not an object; edit or remove the line",
                                 intent.value("id", "?"))};
    // Each page back to the node it was on, when the migration ended and recorded them.
    if (undo.contains("pages")) {
      std::vector<PageRun> runs;
      for (const auto& run : undo["pages"]) {
        // A hand-edited or foreign record: what is not [address, pages, node] is skipped.
        if (!run.is_array() || run.size() != 3 || !run[0].is_number_unsigned() || !run[1].is_number_unsigned() ||
            !run[2].is_number_integer())
          continue;
        runs.push_back({run[0].get<std::uint64_t>(), run[1].get<std::uint64_t>(), run[2].get<int>()});
      }
      auto moved = return_pages(*handle, runs, migration);
      if (!moved) return {false, fmt::format("pid {}: moving memory back stopped: {}", pid, moved.error().message)};
      std::string by_node;
      for (const auto& [node, pages] : moved->pages_moved_from_node)
        by_node += fmt::format("{}{} from node {}", by_node.empty() ? "" : ", ", pages, node);
      return finish(fmt::format("pid {}: {} page(s) moved back to the node each was on{}{}{}", pid, moved->pages_moved,
                                by_node.empty() ? "" : " (", by_node, by_node.empty() ? "" : ")"));
    }
    std::vector<int> from = undo.value("from_nodes", std::vector<int>{});
    if (from.empty()) return finish(fmt::format("pid {}: no other node to move memory back to", pid));
    // A partial move (as much as fits) is undone as far as it went: at most that much goes back.
    const std::uint64_t max_pages =
        intent.value("max_bytes", std::uint64_t{0}) / static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    auto moved = migrate_process_memory(*handle, from, migration, {}, max_pages);
    if (!moved) return {false, fmt::format("pid {}: moving memory back stopped: {}", pid, moved.error().message)};
    return finish(fmt::format("pid {}: {} page(s) moved back to node {}", pid, moved->pages_moved, format_cpu_list(from)));
  }
  return {false, fmt::format("journal record {}: unknown kind '{}'", intent.value("id", "?"), kind)};
}

}  // namespace aurora::coord
