#include "scope_options.hpp"

#include <fmt/format.h>

#include "aurora/cgroup.hpp"

namespace aurora::cli {

void add_scope_options(CLI::App* subcommand, ScopeOptions& options) {
  auto* cgroup = subcommand->add_option(
      "--cgroup", options.cgroup,
      "Only this cgroup and its descendants: a v2 path (/system.slice/x), an absolute "
      "/sys/fs/cgroup path, or a v1 path (hybrid hosts)");
  auto* container = subcommand->add_option(
      "--container", options.container,
      "Only this container (Docker, containerd, CRI-O, podman; full id or a unique prefix of "
      ">= 4 hex characters)");
  auto* pod = subcommand->add_option("--pod", options.pod, "Only this Kubernetes pod (UID)");
  subcommand->add_option("--pid", options.pid, "Only this process (all its threads)")
      ->check(CLI::PositiveNumber);
  cgroup->excludes(container)->excludes(pod);
  container->excludes(pod);
}

Result<PipelineScope> resolve_scope(const ScopeOptions& options, const HostRoot& root) {
  PipelineScope scope;
  std::vector<std::string> parts;
  if (options.pid != 0) {
    if (!root.exists(fmt::format("/proc/{}/stat", options.pid)))
      return fail(ErrorKind::kNotFound,
                  fmt::format("--pid {}: no such process ({} does not exist)", options.pid,
                              root.path(fmt::format("/proc/{}", options.pid)).string()));
    scope.pid = options.pid;
    parts.push_back(fmt::format("pid {}", options.pid));
  }
  if (!options.cgroup.empty() || !options.container.empty() || !options.pod.empty()) {
    auto layout = detect_cgroup_layout(root);
    if (!layout) return tl::unexpected(layout.error());
    Result<CgroupScope> cgroup = !options.cgroup.empty()
                                     ? resolve_cgroup(root, *layout, options.cgroup)
                                 : !options.container.empty()
                                     ? resolve_container(root, *layout, options.container)
                                     : resolve_pod(root, *layout, options.pod);
    if (!cgroup) return tl::unexpected(cgroup.error());
    parts.push_back(!options.cgroup.empty()      ? fmt::format("cgroup {}", cgroup->path)
                    : !options.container.empty() ? fmt::format("container {} ({})",
                                                               options.container, cgroup->path)
                                                 : fmt::format("pod {} ({})", options.pod,
                                                               cgroup->path));
    scope.cgroup = std::move(*cgroup);
  }
  scope.description = parts.empty() ? "all processes" : fmt::format("{}", fmt::join(parts, ", "));
  return scope;
}

}  // namespace aurora::cli
