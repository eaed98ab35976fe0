// A user's --cgroup turned into a scope, and the processes inside a scope.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "aurora/cgroup.hpp"
#include "cgroup/cgroup_hierarchy.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using cgroup_detail::Hierarchy;

namespace {

std::string mounted_list(const std::vector<Hierarchy>& order) {
  std::vector<std::string> names;
  for (const Hierarchy& h : order) names.push_back(fmt::format("{} at {}", h.name, h.mount_point));
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// "cpu:/docker/x", "name=systemd:/x", "0::/x" (the forms of /proc/PID/cgroup).
Result<CgroupScope> resolve_controller_form(const HostRoot& root,
                                            const std::vector<Hierarchy>& order,
                                            const CgroupLayout& layout, std::string_view spec) {
  const size_t colon = spec.rfind(":/");
  std::string_view controller = spec.substr(0, colon);
  if (controller.starts_with("0:")) controller.remove_prefix(2);  // "0::/x"
  const std::string path = cgroup_detail::normalize_cgroup_path(spec.substr(colon + 1));
  if (path.empty())
    return fail(ErrorKind::kBadInput,
                fmt::format("cgroup '{}': '.' and '..' are not allowed in a cgroup path", spec));
  for (const Hierarchy& h : order) {
    const bool is_v2 = h.name == "v2" && (controller.empty() || controller == "v2");
    const CgroupV1Mount* v1 = controller.empty() ? nullptr : layout.v1_mount_for(controller);
    if (is_v2 || (v1 && v1->mount_point == h.mount_point))
      return cgroup_detail::scope_at(root, h, path);
  }
  return fail(ErrorKind::kNotFound,
              fmt::format("cgroup '{}': no cgroup hierarchy '{}' is mounted (mounted: {})", spec,
                          controller.empty() ? "v2" : controller, mounted_list(order)));
}

}  // namespace

Result<CgroupScope> resolve_cgroup(const HostRoot& root, const CgroupLayout& layout,
                                   const std::string& user_path) {
  const std::vector<Hierarchy> order = cgroup_detail::search_order(layout);
  const std::string_view spec = procfs_detail::trim(user_path);
  if (spec.empty())
    return fail(ErrorKind::kBadInput, "empty cgroup path; give e.g. /system.slice/x.service");
  if (!spec.starts_with('/') && spec.find(":/") != std::string_view::npos)
    return resolve_controller_form(root, order, layout, spec);

  const std::string path = cgroup_detail::normalize_cgroup_path(spec);
  if (path.empty())
    return fail(ErrorKind::kBadInput,
                fmt::format("cgroup '{}': '.' and '..' are not allowed in a cgroup path", spec));

  // An absolute filesystem path inside a mounted hierarchy (the longest mount point wins, so
  // /sys/fs/cgroup/unified/x is v2 on a hybrid host, not the tmpfs at /sys/fs/cgroup).
  const Hierarchy* owner = nullptr;
  for (const Hierarchy& h : order) {
    if ((path == h.mount_point || path.starts_with(h.mount_point + "/")) &&
        (!owner || h.mount_point.size() > owner->mount_point.size()))
      owner = &h;
  }
  if (owner) return cgroup_detail::scope_at(root, *owner, cgroup_detail::hierarchy_path_of(*owner, path));

  // A path inside a hierarchy: v2 first, then the v1 trees.
  std::vector<std::string> tried;
  for (const Hierarchy& h : order) {
    auto scope = cgroup_detail::scope_at(root, h, path);
    if (scope) return scope;
    tried.push_back(root.path(cgroup_detail::fs_path_of(h, path)).string());
  }
  if (tried.empty())
    return fail(ErrorKind::kNotFound,
                fmt::format("cgroup '{}': no cgroup hierarchy is mounted", spec));
  return fail(ErrorKind::kNotFound,
              fmt::format("cgroup '{}' not found; tried {}. Give the path as /proc/PID/cgroup "
                          "shows it, or an absolute /sys/fs/cgroup path",
                          spec, fmt::join(tried, ", ")));
}

Result<std::vector<int>> pids_in_scope(const HostRoot& root, const CgroupScope& scope) {
  std::vector<int> pids;
  std::optional<Error> error;
  bool top_has_procs = false;
  const bool listed = cgroup_detail::walk_cgroup_tree(root, scope.fs_path, [&](const std::string& dir) {
    if (error) return;
    const std::string file = dir + "/cgroup.procs";
    auto text = root.read_text(file);
    if (!text) return;  // a child cgroup removed while walking
    if (dir == scope.fs_path) top_has_procs = true;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      const std::string_view line = procfs_detail::trim(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      if (line.empty()) continue;
      const auto pid = procfs_detail::parse_int<int>(line);
      if (!pid || *pid <= 0) {
        error = Error{ErrorKind::kBadInput, fmt::format("{}: '{}' is not a pid",
                                                        root.path(file).string(), line)};
        return;
      }
      pids.push_back(*pid);
    }
  });
  if (error) return tl::unexpected(*error);
  if (!listed || !top_has_procs)
    return fail(ErrorKind::kNotFound,
                fmt::format("cgroup {} ({}) no longer exists or is not a cgroup", scope.path,
                            root.path(scope.fs_path).string()));
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

}  // namespace aurora
