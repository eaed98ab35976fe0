// Cpus_allowed_list of /proc/PID/task/TID/status (fs/proc/array.c task_cpus_allowed): the
// thread's affinity mask in list form, "0-3,8". Per thread: threads of one process may differ.
#include <fmt/format.h>

#include "aurora/cpu_list.hpp"
#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

Result<std::vector<int>> read_task_cpus_allowed(const HostRoot& root, int pid, int tid) {
  const std::string file = procfs_detail::task_dir(pid, tid) + "/status";
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  std::string_view rest = *text;
  constexpr std::string_view kKey = "Cpus_allowed_list:";
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (!line.starts_with(kKey)) continue;
    auto cpus = parse_cpu_list(procfs_detail::trim(line.substr(kKey.size())));
    if (!cpus)
      return fail(ErrorKind::kBadInput, fmt::format("{}: Cpus_allowed_list: {}", root.path(file).string(),
                                                    cpus.error().message));
    return cpus;
  }
  // An exiting thread's status can be empty; a status without the line is a kernel we do not know.
  if (text->empty()) return fail(ErrorKind::kNotFound, fmt::format("thread {} of process {} is gone", tid, pid));
  return fail(ErrorKind::kBadInput,
              fmt::format("{}: no Cpus_allowed_list line; this kernel's status format is not supported",
                          root.path(file).string()));
}

}  // namespace aurora
