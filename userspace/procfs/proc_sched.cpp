// The NUMA block at the end of /proc/PID/sched. Written by kernel/sched/debug.c
// (sched_show_numa) and kernel/sched/fair.c (show_numa_stats / print_numa_stats):
//   mm->numa_scan_seq                            :                    0   (only with an mm)
//   numa_pages_migrated                          :                    0
//   numa_preferred_nid                           :                   -1
//   total_numa_faults                            :                    0
//   current_node=0, numa_group_id=0
//   numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0
// The block is absent on kernels built without CONFIG_NUMA_BALANCING.
#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using procfs_detail::parse_int;
using procfs_detail::trim;

namespace {

// Splits "key=value" tokens separated by spaces and/or commas.
template <class Visit>
bool for_each_assignment(std::string_view text, Visit&& visit) {
  while (!text.empty()) {
    const size_t start = text.find_first_not_of(" ,");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const size_t stop = text.find_first_of(" ,");
    const std::string_view token = text.substr(0, stop);
    text.remove_prefix(stop == std::string_view::npos ? text.size() : stop);
    const size_t equals = token.find('=');
    if (equals == std::string_view::npos) return false;
    if (!visit(token.substr(0, equals), token.substr(equals + 1))) return false;
  }
  return true;
}

Result<ProcSchedNuma> parse_proc_sched_numa(std::string_view text, const std::string& file) {
  ProcSchedNuma numa;
  procfs_detail::LineCursor lines(text);
  for (std::string_view raw; lines.next(raw);) {
    const size_t line_number = lines.number();
    const std::string_view line = trim(raw);
    const auto bad = [&](std::string_view what) {
      return fail(ErrorKind::kBadInput, fmt::format("{}:{}: malformed sched line ({}): '{}'",
                                                    file, line_number, what, line));
    };

    if (line.starts_with("numa_faults ")) {
      NumaFaultsOnNode faults;
      bool has_node = false;
      const bool ok = for_each_assignment(line.substr(12), [&](auto key, auto value) {
        if (key == "node") {
          auto node = parse_int<int>(value);
          if (node) faults.node = *node;
          has_node = node.has_value();
          return has_node;
        }
        auto count = parse_int<std::uint64_t>(value);
        if (!count) return false;
        if (key == "task_private") faults.task_private = *count;
        else if (key == "task_shared") faults.task_shared = *count;
        else if (key == "group_private") faults.group_private = *count;
        else if (key == "group_shared") faults.group_shared = *count;
        return true;  // a field added by a later kernel is not an error
      });
      if (!ok || !has_node) return bad("expected node=N and key=count pairs");
      numa.faults.push_back(faults);
      numa.available = true;
      continue;
    }
    if (line.starts_with("current_node=")) {
      bool has_node = false;
      const bool ok = for_each_assignment(line, [&](auto key, auto value) {
        auto number = parse_int<int>(value);
        if (!number) return false;
        if (key == "current_node") {
          numa.current_node = *number;
          has_node = true;
        } else if (key == "numa_group_id") {
          numa.numa_group_id = *number;
        }
        return true;
      });
      if (!ok || !has_node) return bad("expected current_node=N, numa_group_id=N");
      numa.available = true;
      continue;
    }

    // "name    :    value" lines (the P() macro of debug.c).
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "numa_pages_migrated" || key == "total_numa_faults") {
      const auto count = parse_int<std::uint64_t>(value);
      if (!count) return bad(fmt::format("{} is not a count", key));
      (key == "numa_pages_migrated" ? numa.numa_pages_migrated : numa.total_numa_faults) = *count;
      numa.available = true;
    } else if (key == "numa_preferred_nid") {
      const auto nid = parse_int<int>(value);
      if (!nid) return bad("numa_preferred_nid is not a number");
      numa.numa_preferred_nid = *nid;
      numa.available = true;
    }
  }
  return numa;
}

}  // namespace

Result<ProcSchedNuma> read_proc_sched_numa(const HostRoot& root, int pid, int tid) {
  const std::string file = procfs_detail::task_dir(pid, tid) + "/sched";
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) {
    // /proc/PID itself present but no sched file: the kernel lacks CONFIG_SCHED_DEBUG.
    if (text.error().kind == ErrorKind::kNotFound && root.exists(procfs_detail::task_dir(pid, tid)))
      return fail(ErrorKind::kNotFound,
                  fmt::format("{}: no such file; the kernel was built without CONFIG_SCHED_DEBUG, "
                              "so per-task NUMA faults are not available",
                              root.path(file).string()));
    return tl::unexpected(text.error());
  }
  return parse_proc_sched_numa(*text, root.path(file).string());
}

}  // namespace aurora
