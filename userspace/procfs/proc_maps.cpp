// /proc/PID/maps (proc(5), fs/proc/task_mmu.c show_map_vma):
//   7f3c0e200000-7f3c10200000 rw-s 00000000 00:01 2051                       /dev/shm/db-buffers
//   7f3c10200000-7f3c10221000 rw-p 00000000 00:00 0
// The path is everything after the inode and its padding; it may hold spaces, and the kernel
// appends " (deleted)" to files that were unlinked (SysV segments, memfds, removed shm files).
#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using procfs_detail::parse_int;

namespace {

// Splits off the next space-separated field of `rest`.
std::string_view next_field(std::string_view& rest) {
  const size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const size_t stop = rest.find(' ');
  const std::string_view field = rest.substr(0, stop);
  rest.remove_prefix(stop == std::string_view::npos ? rest.size() : stop);
  return field;
}

Result<std::vector<MapsEntry>> parse_proc_maps(std::string_view text, const std::string& file) {
  std::vector<MapsEntry> entries;
  procfs_detail::LineCursor lines(text);
  for (std::string_view line; lines.next(line);) {
    const size_t line_number = lines.number();
    if (procfs_detail::trim(line).empty()) continue;
    const auto bad = [&](std::string_view what) {
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}:{}: malformed maps line ({}): '{}'", file, line_number, what, line));
    };
    std::string_view rest = line;
    const std::string_view range = next_field(rest);
    const std::string_view permissions = next_field(rest);
    const std::string_view offset = next_field(rest);
    const std::string_view device = next_field(rest);
    const std::string_view inode = next_field(rest);
    if (inode.empty()) return bad("expected range, permissions, offset, device and inode");
    const size_t dash = range.find('-');
    if (dash == std::string_view::npos) return bad("address range has no '-'");
    const auto start = parse_int<std::uint64_t>(range.substr(0, dash), 16);
    const auto stop = parse_int<std::uint64_t>(range.substr(dash + 1), 16);
    if (!start || !stop) return bad("address range is not hex");
    if (!parse_int<std::uint64_t>(offset, 16)) return bad("offset is not hex");
    if (device.find(':') == std::string_view::npos) return bad("device is not major:minor");
    const auto inode_number = parse_int<std::uint64_t>(inode);
    if (!inode_number) return bad("inode is not a number");
    MapsEntry& entry = entries.emplace_back();
    entry.start_address = *start;
    entry.end_address = *stop;
    entry.permissions = std::string(permissions);
    entry.device = std::string(device);
    entry.inode = *inode_number;
    const size_t path_start = rest.find_first_not_of(' ');
    if (path_start != std::string_view::npos) entry.path = std::string(rest.substr(path_start));
  }
  return entries;
}

}  // namespace

Result<std::vector<MapsEntry>> read_proc_maps(const HostRoot& root, int pid) {
  const std::string file = fmt::format("/proc/{}/maps", pid);
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  return parse_proc_maps(*text, root.path(file).string());
}

}  // namespace aurora
