// The list fields of /proc/PID/task/TID/status (fs/proc/array.c): Cpus_allowed_list, the
// thread's affinity mask ("0-3,8"; per thread: threads of one process may differ), and
// Mems_allowed_list (cpuset_task_status_allowed: the memory nodes its cpuset allows).
#include <fmt/format.h>

#include "aurora/cpu_list.hpp"
#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

namespace {

// `optional`: a status without the line is a kernel built without the feature (an empty list),
// not one whose format we do not know.
Result<std::vector<int>> read_task_status_list(const HostRoot& root, int pid, int tid, std::string_view key,
                                               bool optional) {
  const std::string file = procfs_detail::task_dir(pid, tid) + "/status";
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  std::string_view rest = *text;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    auto list = parse_cpu_list(procfs_detail::trim(line.substr(key.size() + 1)));
    if (!list)
      return fail(ErrorKind::kBadInput, fmt::format("{}: {}: {}", root.path(file).string(), key, list.error().message));
    return list;
  }
  // An exiting thread's status can be empty; a status without the line is a kernel we do not know.
  if (text->empty()) return fail(ErrorKind::kNotFound, fmt::format("thread {} of process {} is gone", tid, pid));
  if (optional) return std::vector<int>{};
  return fail(ErrorKind::kBadInput, fmt::format("{}: no {} line; this kernel's status format is not supported",
                                                root.path(file).string(), key));
}

}  // namespace

Result<std::vector<int>> read_task_cpus_allowed(const HostRoot& root, int pid, int tid) {
  return read_task_status_list(root, pid, tid, "Cpus_allowed_list", /*optional=*/false);
}

Result<std::vector<int>> read_task_mems_allowed(const HostRoot& root, int pid, int tid) {
  // The line is printed by cpuset_task_status_allowed(), only with CONFIG_CPUSETS.
  return read_task_status_list(root, pid, tid, "Mems_allowed_list", /*optional=*/true);
}

}  // namespace aurora
