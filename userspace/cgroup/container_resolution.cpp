// A user's --container and --pod turned into a scope, by walking the cgroup trees for the
// directory the runtime created (naming rules in container_naming.cpp, docs/containers.md).
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "aurora/cgroup.hpp"
#include "cgroup/cgroup_hierarchy.hpp"
#include "cgroup/pod_uid.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using cgroup_detail::Hierarchy;

namespace {

constexpr size_t kMinimumIdPrefix = 4;

// The trees a runtime always populates: v2, then v1 cpu/cpuacct/name=systemd. Walking every v1
// controller would only find the same directories again.
std::vector<Hierarchy> container_trees(const CgroupLayout& layout) {
  std::vector<Hierarchy> trees;
  for (Hierarchy& h : cgroup_detail::search_order(layout)) {
    if (h.name == "v2" || h.name == "cpu" || h.name == "cpuacct" || h.name == "name=systemd")
      trees.push_back(std::move(h));
  }
  if (trees.empty()) trees = cgroup_detail::search_order(layout);
  return trees;
}

std::string last_component(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string describe(const std::vector<Hierarchy>& trees, const HostRoot& root) {
  std::vector<std::string> places;
  for (const Hierarchy& h : trees) places.push_back(root.path(h.mount_point).string());
  return places.empty() ? "no mounted cgroup hierarchy" : fmt::format("{}", fmt::join(places, ", "));
}

// Among the directories found in one tree, the shallowest (the container's own scope rather
// than a subgroup such as podman's ".../container").
std::string shallowest(const std::vector<std::string>& paths) {
  return *std::min_element(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
    const auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
    return depth(a) != depth(b) ? depth(a) < depth(b) : a < b;
  });
}

}  // namespace

Result<CgroupScope> resolve_container(const HostRoot& root, const CgroupLayout& layout,
                                      const std::string& id) {
  std::string wanted(procfs_detail::trim(id));
  // Kubernetes reports "containerd://<id>", "cri-o://<id>", "docker://<id>".
  if (const size_t scheme = wanted.find("://"); scheme != std::string::npos)
    wanted = wanted.substr(scheme + 3);
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool hex = std::all_of(wanted.begin(), wanted.end(),
                               [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!hex || wanted.size() < kMinimumIdPrefix || wanted.size() > 64)
    return fail(ErrorKind::kBadInput,
                fmt::format("container id '{}': give the full 64-hex id or a unique prefix of at "
                            "least {} hex characters (as `docker ps`, `crictl ps` or `podman ps` "
                            "show it)",
                            id, kMinimumIdPrefix));

  const std::vector<Hierarchy> trees = container_trees(layout);
  for (const Hierarchy& tree : trees) {
    std::map<std::string, std::vector<std::string>> paths_by_id;
    std::map<std::string, ContainerRuntime> runtime_by_id;
    cgroup_detail::walk_cgroup_tree(root, tree.mount_point, [&](const std::string& fs_path) {
      const std::string path = cgroup_detail::hierarchy_path_of(tree, fs_path);
      // Only the directory the runtime named, not its subgroups.
      if (!container_from_cgroup(last_component(path))) return;
      auto ref = container_from_cgroup(path);
      if (!ref || !ref->id.starts_with(wanted)) return;
      paths_by_id[ref->id].push_back(path);
      runtime_by_id[ref->id] = ref->runtime;
    });
    if (paths_by_id.empty()) continue;
    if (paths_by_id.size() > 1) {
      std::vector<std::string> candidates;
      for (const auto& [found_id, paths] : paths_by_id)
        candidates.push_back(fmt::format("{} ({})", found_id, shallowest(paths)));
      return fail(ErrorKind::kBadInput,
                  fmt::format("container id '{}' is ambiguous: it matches {}; give more characters",
                              id, fmt::join(candidates, ", ")));
    }
    return cgroup_detail::scope_at(root, tree, shallowest(paths_by_id.begin()->second));
  }
  return fail(ErrorKind::kNotFound,
              fmt::format("container '{}' not found: no docker-, cri-containerd-, crio-, libpod- or "
                          "bare-id cgroup matches it under {}; is it running on this host?",
                          id, describe(trees, root)));
}

Result<CgroupScope> resolve_pod(const HostRoot& root, const CgroupLayout& layout,
                                const std::string& uid) {
  const std::string wanted = cgroup_detail::canonical_pod_uid(procfs_detail::trim(uid));
  if (wanted.empty())
    return fail(ErrorKind::kBadInput,
                fmt::format("pod uid '{}': expected a Kubernetes pod UID such as "
                            "1b2c3d4e-0000-4000-8000-123456789abc (kubectl get pod -o "
                            "jsonpath='{{.metadata.uid}}')",
                            uid));
  const std::vector<Hierarchy> trees = container_trees(layout);
  for (const Hierarchy& tree : trees) {
    std::vector<std::string> matches;
    cgroup_detail::walk_cgroup_tree(root, tree.mount_point, [&](const std::string& fs_path) {
      const std::string path = cgroup_detail::hierarchy_path_of(tree, fs_path);
      // The pod's own directory: its last component names the pod.
      if (pod_uid_from_cgroup(path) != wanted) return;
      if (pod_uid_from_cgroup(path.substr(0, path.rfind('/'))) == wanted) return;
      matches.push_back(path);
    });
    if (!matches.empty()) return cgroup_detail::scope_at(root, tree, shallowest(matches));
  }
  return fail(ErrorKind::kNotFound,
              fmt::format("pod '{}' not found: no kubepods-...-pod<uid>.slice or pod<uid> cgroup "
                          "under {}; is the pod scheduled on this node?",
                          uid, describe(trees, root)));
}

}  // namespace aurora
