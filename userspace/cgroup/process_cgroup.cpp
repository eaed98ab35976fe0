// /proc/PID/cgroup: one "hierarchy-ID:controller-list:path" line per hierarchy (cgroups(7)).
// "0::/path" is the v2 hierarchy; v1 lines list their controllers ("4:cpu,cpuacct:/docker/x",
// "1:name=systemd:/system.slice/x.service").
#include <array>

#include <fmt/format.h>

#include "aurora/cgroup.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

std::string ProcessCgroup::primary() const {
  if (v2_path && (*v2_path != "/" || v1_paths.empty())) return *v2_path;
  // Hybrid or v1-only: the controllers a container runtime always places its tasks in.
  for (std::string_view controller : std::array<std::string_view, 3>{"cpu", "cpuacct", "name=systemd"}) {
    auto it = v1_paths.find(std::string(controller));
    if (it != v1_paths.end() && it->second != "/") return it->second;
  }
  return v2_path ? *v2_path : "/";
}

Result<ProcessCgroup> parse_process_cgroup(std::string_view text, std::string_view source) {
  ProcessCgroup cgroup;
  procfs_detail::LineCursor lines(text);
  for (std::string_view line; lines.next(line);) {
    const size_t line_number = lines.number();
    if (line.empty()) continue;
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos || !procfs_detail::parse_int<int>(line.substr(0, first)) ||
        second + 1 >= line.size() || line[second + 1] != '/')
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}:{}: malformed cgroup line (expected ID:controllers:/path): '{}'",
                              source, line_number, line));
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string path(line.substr(second + 1));
    if (controllers.empty()) {
      cgroup.v2_path = path;
      continue;
    }
    std::string_view rest = controllers;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view controller = rest.substr(0, comma);
      if (!controller.empty()) cgroup.v1_paths[std::string(controller)] = path;
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
  }
  if (!cgroup.v2_path && cgroup.v1_paths.empty())
    return fail(ErrorKind::kBadInput,
                fmt::format("{}: no cgroup lines; is this a /proc/PID/cgroup file?", source));
  return cgroup;
}

Result<ProcessCgroup> cgroup_of_pid(const HostRoot& root, int pid) {
  const std::string file = fmt::format("/proc/{}/cgroup", pid);
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  return parse_process_cgroup(*text, root.path(file).string());
}

}  // namespace aurora
