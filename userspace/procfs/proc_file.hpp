// Internal helpers shared by the /proc readers: reading a file that belongs to a process which
// may exit at any moment, and parsing numbers without exceptions.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora::procfs_detail {

// Reads `absolute` (a path under /proc/PID) with open/read so the errno of a failing read is
// kept: ENOENT/ESRCH (the process exited between listing and reading, or while we read) give
// kNotFound naming the pid; EACCES/EPERM give kPermission; anything else kRuntime.
Result<std::string> read_pid_file(const HostRoot& root, int pid, const std::string& absolute);

// "/proc/PID" or "/proc/PID/task/TID".
std::string task_dir(int pid, int tid);

template <class Int>
std::optional<Int> parse_int(std::string_view text, int base = 10) {
  Int value{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, value, base);
  if (ec != std::errc() || end != last || text.empty()) return std::nullopt;
  return value;
}

// Trims spaces and tabs at both ends.
std::string_view trim(std::string_view text);

}  // namespace aurora::procfs_detail
