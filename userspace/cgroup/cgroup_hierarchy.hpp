// Internal: the mounted hierarchies in the order a user's path is looked up in, mapping between
// paths inside a hierarchy and filesystem paths, and a walk over a cgroup subtree.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aurora/cgroup.hpp"

namespace aurora::cgroup_detail {

struct Hierarchy {
  std::string name;         // "v2", or the v1 controller it is looked up by ("cpu", ...)
  std::string mount_point;  // absolute system path
  std::string root;         // mountinfo root, "/" unless the mount shows a subtree
};

// v2 first (the BPF filter works on v2 ids), then the v1 hierarchies a container runtime
// always populates (cpu, cpuacct, name=systemd), then the other v1 hierarchies. Each mount
// appears once.
std::vector<Hierarchy> search_order(const CgroupLayout& layout);

// "/a//b/" -> "/a/b"; "" for "/" itself is returned as "/". std::nullopt-like empty string when
// the path has "." or ".." components (rejected as bad input by callers).
std::string normalize_cgroup_path(std::string_view path);

// Absolute system path of a path inside the hierarchy, and back.
std::string fs_path_of(const Hierarchy& hierarchy, const std::string& path);
std::string hierarchy_path_of(const Hierarchy& hierarchy, const std::string& fs_path);

// The scope for an existing directory; kNotFound naming it when it is not a directory.
Result<CgroupScope> scope_at(const HostRoot& root, const Hierarchy& hierarchy,
                             const std::string& path);

// Calls visit(fs_path) for `fs_path` and every directory below it, parents before children,
// not following symlinks, at most `max_depth` levels down. A subdirectory that vanishes while
// walking is skipped. Returns false when `fs_path` itself cannot be listed.
bool walk_cgroup_tree(const HostRoot& root, const std::string& fs_path,
                      const std::function<void(const std::string&)>& visit, int max_depth = 64);

}  // namespace aurora::cgroup_detail
