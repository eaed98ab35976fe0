// Which processes and threads exist: the numeric entries of /proc and /proc/PID/task.
#include <algorithm>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

namespace {

std::vector<int> numeric_entries(const std::vector<std::string>& names) {
  std::vector<int> ids;
  for (const std::string& name : names) {
    if (auto id = procfs_detail::parse_int<int>(name); id && *id > 0) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

Result<std::vector<int>> list_pids(const HostRoot& root) {
  auto names = root.list_dir("/proc");
  if (!names) {
    Error error = names.error();
    error.message += "; is /proc mounted (mount -t proc proc /proc)?";
    return tl::unexpected(error);
  }
  return numeric_entries(*names);
}

Result<std::vector<int>> list_tids(const HostRoot& root, int pid) {
  auto names = root.list_dir(fmt::format("/proc/{}/task", pid));
  if (!names) {
    if (names.error().kind == ErrorKind::kNotFound)
      return fail(ErrorKind::kNotFound,
                  fmt::format("process {} is gone ({})", pid, names.error().message));
    return tl::unexpected(names.error());
  }
  return numeric_entries(*names);
}

}  // namespace aurora
