// /proc/PID/mountinfo (proc(5), fs/proc_namespace.c show_mountinfo):
//   36 35 259:2 / /data rw,noatime shared:1 - ext4 /dev/nvme0n1p2 rw
//   ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
// The optional fields vary in number, so the type is found after the " - " separator.
#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

namespace {

std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) return out;
    text.remove_prefix(start);
    const size_t stop = text.find(' ');
    out.push_back(text.substr(0, stop));
    if (stop == std::string_view::npos) return out;
    text.remove_prefix(stop);
  }
}

}  // namespace

Result<std::vector<MountInfoEntry>> read_proc_mountinfo(const HostRoot& root, int pid) {
  const std::string file = fmt::format("/proc/{}/mountinfo", pid);
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  std::vector<MountInfoEntry> mounts;
  procfs_detail::LineCursor lines(*text);
  for (std::string_view line; lines.next(line);) {
    if (procfs_detail::trim(line).empty()) continue;
    const size_t dash = line.find(" - ");
    const std::vector<std::string_view> before = fields_of(line.substr(0, dash));
    const std::vector<std::string_view> after =
        dash == std::string_view::npos ? std::vector<std::string_view>{} : fields_of(line.substr(dash + 3));
    if (before.size() < 6 || after.empty() || before[2].find(':') == std::string_view::npos)
      return fail(ErrorKind::kBadInput, fmt::format("{}:{}: malformed mountinfo line: '{}'",
                                                    root.path(file).string(), lines.number(), line));
    mounts.push_back({std::string(before[2]), procfs_detail::unescape_octal(before[4]), std::string(after[0])});
  }
  return mounts;
}

}  // namespace aurora
