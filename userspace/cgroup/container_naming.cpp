// Which container and which Kubernetes pod a cgroup path belongs to, from the naming
// conventions of the runtimes and their cgroup drivers (docs/containers.md):
//
//   runtime     systemd driver                          cgroupfs driver
//   Docker      docker-<id>.scope                       /docker/<id>
//   containerd  cri-containerd-<id>.scope               /kubepods/<qos>/pod<uid>/<id>
//   CRI-O       crio-<id>.scope                         /kubepods/<qos>/pod<uid>/crio-<id>
//   podman      libpod-<id>.scope (+ "/container")      /libpod_parent/libpod-<id>
// Monitor processes live beside the container: crio-conmon-<id>.scope, libpod-conmon-<id>.scope,
// /libpod_parent/conmon. They are not the container and are never matched.
// Kubernetes pods: kubepods[-<qos>]-pod<uid, '-' written as '_'>.slice (systemd) or pod<uid>
// (cgroupfs), where <qos> is burstable or besteffort (guaranteed pods sit under kubepods).
#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "aurora/cgroup.hpp"
#include "cgroup/pod_uid.hpp"

namespace aurora {

namespace {

constexpr size_t kContainerIdLength = 64;

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_container_id(std::string_view text) {
  return text.size() == kContainerIdLength && is_lower_hex(text);
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t start = path.find_first_not_of('/');
    if (start == std::string_view::npos) break;
    path.remove_prefix(start);
    const size_t stop = path.find('/');
    parts.push_back(path.substr(0, stop));
    path.remove_prefix(stop == std::string_view::npos ? path.size() : stop);
  }
  return parts;
}

struct Pattern {
  std::string_view prefix;
  ContainerRuntime runtime;
};

// Order matters only for prefixes that extend one another; conmon scopes are excluded before.
constexpr std::array<Pattern, 4> kPrefixed = {{
    {"cri-containerd-", ContainerRuntime::kContainerd},
    {"docker-", ContainerRuntime::kDocker},
    {"crio-", ContainerRuntime::kCrio},
    {"libpod-", ContainerRuntime::kPodman},
}};

// The container named by one path component, given the components above it.
std::optional<ContainerRef> container_of_component(std::string_view name,
                                                   const std::vector<std::string_view>& above) {
  if (name.starts_with("crio-conmon-") || name.starts_with("libpod-conmon-")) return std::nullopt;
  std::string_view stem = name;
  if (stem.ends_with(".scope")) stem.remove_suffix(6);
  for (const Pattern& pattern : kPrefixed) {
    if (stem.starts_with(pattern.prefix) && is_container_id(stem.substr(pattern.prefix.size())))
      return ContainerRef{std::string(stem.substr(pattern.prefix.size())), pattern.runtime};
  }
  // cgroupfs drivers name the directory by the bare id.
  if (is_container_id(name)) {
    ContainerRuntime runtime = ContainerRuntime::kUnknown;
    for (std::string_view parent : above) {
      if (parent == "docker") runtime = ContainerRuntime::kDocker;
    }
    return ContainerRef{std::string(name), runtime};
  }
  return std::nullopt;
}

std::string pod_of_component(std::string_view name) {
  std::string_view stem = name;
  if (stem.ends_with(".slice")) {
    // kubepods-pod<uid>.slice, kubepods-burstable-pod<uid>.slice, kubepods-besteffort-pod<uid>.slice
    stem.remove_suffix(6);
    if (!stem.starts_with("kubepods-")) return "";
    const size_t pod = stem.rfind("-pod");
    if (pod == std::string_view::npos) return "";
    return cgroup_detail::canonical_pod_uid(stem.substr(pod + 4));
  }
  if (stem.starts_with("pod")) return cgroup_detail::canonical_pod_uid(stem.substr(3));
  return "";
}

}  // namespace

std::string_view runtime_name(ContainerRuntime runtime) {
  switch (runtime) {
    case ContainerRuntime::kDocker: return "docker";
    case ContainerRuntime::kContainerd: return "containerd";
    case ContainerRuntime::kCrio: return "cri-o";
    case ContainerRuntime::kPodman: return "podman";
    case ContainerRuntime::kUnknown: break;
  }
  return "unknown";
}

std::optional<ContainerRef> container_from_cgroup(std::string_view cgroup_path) {
  const std::vector<std::string_view> parts = components(cgroup_path);
  // Deepest first: a nested runtime (docker in a pod) names the innermost container.
  for (size_t i = parts.size(); i-- > 0;) {
    const std::vector<std::string_view> above(parts.begin(), parts.begin() + static_cast<long>(i));
    if (auto found = container_of_component(parts[i], above)) return found;
  }
  return std::nullopt;
}

std::string container_id_from_cgroup(std::string_view cgroup_path) {
  auto found = container_from_cgroup(cgroup_path);
  return found ? found->id : std::string();
}

std::string pod_uid_from_cgroup(std::string_view cgroup_path) {
  const std::vector<std::string_view> parts = components(cgroup_path);
  // Pods are only under a kubepods hierarchy; a stray "pod..." elsewhere is not one.
  const bool under_kubepods = std::any_of(parts.begin(), parts.end(), [](std::string_view p) {
    return p == "kubepods" || p.starts_with("kubepods-") || p == "kubepods.slice";
  });
  if (!under_kubepods) return "";
  for (size_t i = parts.size(); i-- > 0;) {
    std::string uid = pod_of_component(parts[i]);
    if (!uid.empty()) return uid;
  }
  return "";
}

namespace cgroup_detail {

std::string canonical_pod_uid(std::string_view text) {
  std::string uid;
  size_t hex_digits = 0;
  for (char c : text) {
    if (c == '_' || c == '-') {
      uid.push_back('-');
    } else if (std::isxdigit(static_cast<unsigned char>(c))) {
      uid.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      ++hex_digits;
    } else {
      return "";
    }
  }
  return hex_digits == 32 ? uid : "";
}

}  // namespace cgroup_detail

}  // namespace aurora
