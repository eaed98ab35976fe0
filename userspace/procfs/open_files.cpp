// The targets of /proc/PID/fd/* links: readlink(2) on each, as lsof does. The links are read
// as text (never followed) so a --root tree holds them as plain symlinks.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

Result<std::vector<std::string>> read_open_file_targets(const HostRoot& root, int pid, std::size_t max_files) {
  const std::string dir = fmt::format("/proc/{}/fd", pid);
  auto names = root.list_dir(dir);
  if (!names) {
    if (names.error().kind == ErrorKind::kNotFound)
      return fail(ErrorKind::kNotFound, fmt::format("process {} is gone ({})", pid, names.error().message));
    return tl::unexpected(names.error());
  }
  // In fd order, as /proc lists them (a --root tree's directory does not): the cap keeps the
  // lowest fds, which are opened first (a server's data files before its client sockets).
  std::vector<int> fds;
  for (const std::string& name : *names)
    if (auto fd = procfs_detail::parse_int<int>(name)) fds.push_back(*fd);
  std::sort(fds.begin(), fds.end());
  std::vector<std::string> targets;
  for (int fd : fds) {
    if (targets.size() >= max_files) break;
    const std::string link = root.path(fmt::format("{}/{}", dir, fd)).string();
    char buffer[4096];
    const ssize_t length = ::readlink(link.c_str(), buffer, sizeof buffer);
    if (length < 0) {
      if (errno == ENOENT) continue;  // that fd was closed since the listing
      if (errno == EACCES || errno == EPERM)
        return fail(ErrorKind::kPermission,
                    fmt::format("{}: {}; run as root to read other users' open files", link, std::strerror(errno)));
      return fail(ErrorKind::kRuntime, fmt::format("{}: cannot read the link: {}", link, std::strerror(errno)));
    }
    targets.emplace_back(buffer, static_cast<size_t>(length));
  }
  return targets;
}

}  // namespace aurora
