#include "aurora/coordinator/process_handle.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

namespace aurora::coord {

namespace {
constexpr unsigned long kPfKthread = 0x00200000;
}

Result<ProcessIdentity> read_identity(const HostRoot& root, int pid) {
  auto stat = root.read_text(fmt::format("/proc/{}/stat", pid));
  if (!stat) return fail(ErrorKind::kNotFound, fmt::format("pid {}: no such process (it exited)", pid));
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const std::size_t close = stat->rfind(')');
  if (close == std::string::npos)
    return fail(ErrorKind::kRuntime, fmt::format("/proc/{}/stat: unexpected format", pid));
  std::istringstream rest(stat->substr(close + 2));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 20) return fail(ErrorKind::kRuntime, fmt::format("/proc/{}/stat: too few fields", pid));
  ProcessIdentity id;
  id.pid = pid;
  id.kernel_thread = (std::stoul(fields[6]) & kPfKthread) != 0;  // field 9: flags
  id.start_time = std::stoull(fields[19]);                       // field 22: starttime
  return id;
}

Result<std::vector<int>> list_threads(const HostRoot& root, int pid) {
  auto entries = root.list_dir(fmt::format("/proc/{}/task", pid));
  if (!entries) return fail(ErrorKind::kNotFound, fmt::format("pid {}: no such process (it exited)", pid));
  std::vector<int> tids;
  for (const auto& e : *entries)
    if (!e.empty() && e.find_first_not_of("0123456789") == std::string::npos) tids.push_back(std::stoi(e));
  std::sort(tids.begin(), tids.end());
  return tids;
}

Result<ProcessHandle> ProcessHandle::open(int pid, std::uint64_t expected_start_time) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    if (errno == ESRCH) return fail(ErrorKind::kNotFound, fmt::format("pid {}: no such process (it exited)", pid));
    return fail(ErrorKind::kRuntime, fmt::format("pidfd_open({}): {}", pid, std::strerror(errno)));
  }
  UniqueFd pidfd(fd);
  // Read the identity after the pidfd exists: while the pidfd says the process lives, the pid
  // cannot have been reused, so what /proc says is about the process the pidfd holds.
  auto identity = read_identity(HostRoot("/"), pid);
  if (!identity) return tl::unexpected(identity.error());
  ProcessHandle handle(std::move(pidfd), *identity);
  if (auto ok = handle.verify(); !ok) return tl::unexpected(ok.error());
  if (expected_start_time != 0 && identity->start_time != expected_start_time)
    return fail(ErrorKind::kNotFound,
                fmt::format("pid {} now belongs to another process (start time {} instead of {}); left alone", pid,
                            identity->start_time, expected_start_time));
  if (identity->kernel_thread)
    return fail(ErrorKind::kPermission, fmt::format("pid {} is a kernel thread; the coordinator never touches those", pid));
  return handle;
}

Result<void> ProcessHandle::verify() const {
  pollfd p{pidfd_.get(), POLLIN, 0};
  const int ready = ::poll(&p, 1, 0);
  if (ready < 0) return fail(ErrorKind::kRuntime, fmt::format("poll(pidfd of {}): {}", pid(), std::strerror(errno)));
  if (ready > 0) return fail(ErrorKind::kNotFound, fmt::format("pid {} exited", pid()));
  return {};
}

}  // namespace aurora::coord
