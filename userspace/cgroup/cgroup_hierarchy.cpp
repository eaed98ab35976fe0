#include "cgroup/cgroup_hierarchy.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace aurora::cgroup_detail {

namespace fs = std::filesystem;

std::vector<Hierarchy> search_order(const CgroupLayout& layout) {
  std::vector<Hierarchy> order;
  if (layout.has_v2()) order.push_back({"v2", layout.v2_mount, layout.v2_root});
  std::vector<const CgroupV1Mount*> added;
  const auto add = [&](const CgroupV1Mount* mount, std::string name) {
    if (!mount || std::find(added.begin(), added.end(), mount) != added.end()) return;
    added.push_back(mount);
    order.push_back({std::move(name), mount->mount_point, mount->root});
  };
  for (std::string_view preferred : std::array<std::string_view, 3>{"cpu", "cpuacct", "name=systemd"})
    add(layout.v1_mount_for(preferred), std::string(preferred));
  for (const CgroupV1Mount& mount : layout.v1_mounts) add(&mount, mount.controllers.front());
  return order;
}

std::string normalize_cgroup_path(std::string_view path) {
  std::string normalized;
  while (!path.empty()) {
    const size_t start = path.find_first_not_of('/');
    if (start == std::string_view::npos) break;
    path.remove_prefix(start);
    const size_t stop = path.find('/');
    const std::string_view part = path.substr(0, stop);
    path.remove_prefix(stop == std::string_view::npos ? path.size() : stop);
    if (part == "." || part == "..") return "";
    normalized += '/';
    normalized += part;
  }
  return normalized.empty() ? "/" : normalized;
}

std::string fs_path_of(const Hierarchy& hierarchy, const std::string& path) {
  std::string inside = path;
  // A mount that shows only a subtree (root "/kubepods" in a container): strip that prefix.
  if (hierarchy.root != "/" &&
      (inside == hierarchy.root || inside.starts_with(hierarchy.root + "/")))
    inside = inside.substr(hierarchy.root.size());
  if (inside.empty() || inside == "/") return hierarchy.mount_point;
  return hierarchy.mount_point + inside;
}

std::string hierarchy_path_of(const Hierarchy& hierarchy, const std::string& fs_path) {
  std::string inside = fs_path.substr(std::min(fs_path.size(), hierarchy.mount_point.size()));
  if (hierarchy.root != "/") inside = hierarchy.root + inside;
  return inside.empty() ? "/" : inside;
}

Result<CgroupScope> scope_at(const HostRoot& root, const Hierarchy& hierarchy,
                             const std::string& path) {
  const std::string fs_path = fs_path_of(hierarchy, path);
  const std::string on_disk = root.path(fs_path).string();
  struct stat info {};
  if (::stat(on_disk.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return fail(ErrorKind::kNotFound, fmt::format("cgroup {} not found ({} is not a directory)",
                                                  path, on_disk));
  CgroupScope scope;
  scope.path = path;
  scope.fs_path = fs_path;
  scope.hierarchy = hierarchy.name;
  // On cgroup2 the kernfs node id is the inode number: the id bpf_get_current_cgroup_id()
  // returns. v1 ids are meaningless to the BPF filter, so they stay 0.
  scope.v2_id = hierarchy.name == "v2" ? static_cast<std::uint64_t>(info.st_ino) : 0;
  return scope;
}

namespace {

void walk(const HostRoot& root, const std::string& fs_path,
          const std::function<void(const std::string&)>& visit, int depth_left) {
  visit(fs_path);
  if (depth_left <= 0) return;
  std::error_code ec;
  fs::directory_iterator it(root.path(fs_path), ec);
  if (ec) return;  // vanished while walking
  std::vector<std::string> children;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec))
      children.push_back(fs_path + "/" + it->path().filename().string());
  }
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) walk(root, child, visit, depth_left - 1);
}

}  // namespace

bool walk_cgroup_tree(const HostRoot& root, const std::string& fs_path,
                      const std::function<void(const std::string&)>& visit, int max_depth) {
  std::error_code ec;
  if (!fs::is_directory(root.path(fs_path), ec)) return false;
  walk(root, fs_path, visit, max_depth);
  return true;
}

}  // namespace aurora::cgroup_detail
