#include "procfs/proc_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "aurora/unique_fd.hpp"

namespace aurora::procfs_detail {

namespace {

Result<std::string> error_for(int err, int pid, const std::string& on_disk) {
  // EINVAL: the task is exiting and has lost what the file shows (a zombie's mountinfo).
  if (err == ENOENT || err == ESRCH || err == EINVAL)
    return fail(ErrorKind::kNotFound,
                fmt::format("process {} is gone ({}: {})", pid, on_disk, std::strerror(err)));
  if (err == EACCES || err == EPERM)
    return fail(ErrorKind::kPermission,
                fmt::format("{}: {}; run as root to read other users' processes", on_disk,
                            std::strerror(err)));
  return fail(ErrorKind::kRuntime, fmt::format("{}: cannot read: {}", on_disk, std::strerror(err)));
}

}  // namespace

Result<std::string> read_pid_file(const HostRoot& root, int pid, const std::string& absolute) {
  const std::string on_disk = root.path(absolute).string();
  UniqueFd fd(::open(on_disk.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return error_for(errno, pid, on_disk);
  std::string text;
  char buffer[16384];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return error_for(errno, pid, on_disk);
    }
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

std::string task_dir(int pid, int tid) {
  if (tid < 0) return fmt::format("/proc/{}", pid);
  return fmt::format("/proc/{}/task/{}", pid, tid);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::string unescape_octal(std::string_view text) {
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && octal(text[i + 1]) && octal(text[i + 2]) && octal(text[i + 3])) {
      out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace aurora::procfs_detail
