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
// kept: ENOENT/ESRCH (the process exited between listing and reading, or while we read) and
// EINVAL (it is exiting: a zombie's mountinfo) give kNotFound naming the pid; EACCES/EPERM give kPermission; anything else kRuntime.
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

// Undoes the \ooo escapes /proc writes for space, tab, newline and backslash in paths
// (mountinfo, numa_maps): "/mnt/my\040disk" -> "/mnt/my disk".
std::string unescape_octal(std::string_view text);

// Walks a file's text line by line, numbering lines from 1 for messages naming file:line.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}
  // Sets `line` to the next line without its newline; false at the end of the text.
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    const size_t end = rest_.find('\n');
    line = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    ++number_;
    return true;
  }
  size_t number() const { return number_; }

 private:
  std::string_view rest_;
  size_t number_ = 0;
};

}  // namespace aurora::procfs_detail
