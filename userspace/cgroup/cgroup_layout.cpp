// Where the cgroup hierarchies are mounted, from mountinfo (proc(5)):
//   ID PARENT MAJ:MIN ROOT MOUNT_POINT MOUNT_OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
// cgroup2 lines give the v2 mount; "cgroup" lines give v1 hierarchies whose controllers are the
// controller names (and "name=...") among the super options.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "aurora/cgroup.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

namespace {

constexpr std::array<std::string_view, 14> kV1Controllers = {
    "cpu",     "cpuacct", "cpuset",     "memory",  "devices", "freezer", "net_cls",
    "net_prio", "blkio",  "perf_event", "hugetlb", "pids",    "rdma",    "misc"};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

// The v2 mount a tool should use when several exist (a container runtime may bind cgroup2
// elsewhere): the whole hierarchy (root "/") at a standard place first.
int v2_preference(std::string_view mount_point, std::string_view root) {
  int score = 0;
  if (root == "/") score += 4;
  if (mount_point == "/sys/fs/cgroup" || mount_point == "/sys/fs/cgroup/unified") score += 2;
  return score;
}

}  // namespace

bool CgroupV1Mount::has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

const CgroupV1Mount* CgroupLayout::v1_mount_for(std::string_view controller) const {
  for (const CgroupV1Mount& mount : v1_mounts)
    if (mount.has(controller)) return &mount;
  return nullptr;
}

Result<CgroupLayout> parse_cgroup_layout(std::string_view mountinfo, std::string_view source) {
  CgroupLayout layout;
  int best_v2 = -1;
  size_t line_number = 0;
  for (std::string_view line : split(mountinfo, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    const auto bad = [&](std::string_view what) {
      return fail(ErrorKind::kBadInput, fmt::format("{}:{}: malformed mountinfo line ({}): '{}'",
                                                    source, line_number, what, line));
    };
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) return bad("no ' - ' separator");
    std::vector<std::string_view> before;
    for (std::string_view field : split(line.substr(0, dash), ' '))
      if (!field.empty()) before.push_back(field);
    std::vector<std::string_view> after;
    for (std::string_view field : split(line.substr(dash + 3), ' '))
      if (!field.empty()) after.push_back(field);
    if (before.size() < 6 || after.size() < 3) return bad("too few fields");

    const std::string_view fstype = after[0];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    const std::string root = procfs_detail::unescape_octal(before[3]);
    const std::string mount_point = procfs_detail::unescape_octal(before[4]);
    if (fstype == "cgroup2") {
      const int preference = v2_preference(mount_point, root);
      if (preference > best_v2) {
        best_v2 = preference;
        layout.v2_mount = mount_point;
        layout.v2_root = root;
      }
      continue;
    }
    CgroupV1Mount mount{mount_point, root, {}};
    for (std::string_view option : split(after[2], ',')) {
      if (option.starts_with("name=") ||
          std::find(kV1Controllers.begin(), kV1Controllers.end(), option) != kV1Controllers.end())
        mount.controllers.emplace_back(option);
    }
    if (mount.controllers.empty()) return bad("a cgroup v1 mount without any controller");
    // The same hierarchy mounted twice (bind mounts): keep the first.
    const bool seen = std::any_of(layout.v1_mounts.begin(), layout.v1_mounts.end(),
                                  [&](const CgroupV1Mount& m) { return m.controllers == mount.controllers; });
    if (!seen) layout.v1_mounts.push_back(std::move(mount));
  }
  if (!layout.has_v2() && layout.v1_mounts.empty())
    return fail(ErrorKind::kNotFound,
                fmt::format("{}: no cgroup filesystem is mounted; mount one "
                            "(mount -t cgroup2 none /sys/fs/cgroup)",
                            source));
  if (!layout.has_v2()) layout.mode = CgroupMode::kLegacy;
  else if (!layout.v1_mounts.empty()) layout.mode = CgroupMode::kHybrid;
  else layout.mode = CgroupMode::kUnified;
  return layout;
}

Result<CgroupLayout> detect_cgroup_layout(const HostRoot& root) {
  const std::string file = "/proc/self/mountinfo";
  auto text = root.read_text(file);
  if (!text) return tl::unexpected(text.error());
  return parse_cgroup_layout(*text, root.path(file).string());
}

}  // namespace aurora
