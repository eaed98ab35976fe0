// cgroup cpusets, v2 (cpuset.cpus / cpuset.cpus.effective) and the v1 cpuset controller
// (cpuset.cpus / cpuset.effective_cpus) of hybrid hosts.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/cpu_list.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord {

namespace fs = std::filesystem;

namespace {

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, fmt::format("{}: cannot read (does the cgroup still exist?)", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<void> write_file(const fs::path& path, const std::string& value) {
  std::ofstream out(path);
  if (!out) return fail(ErrorKind::kNotFound, fmt::format("{}: cannot open for writing (does the cgroup still exist?)", path.string()));
  out << value;
  out.flush();
  if (!out) return fail(ErrorKind::kRuntime, fmt::format("{}: writing '{}' failed: {}", path.string(), value, std::strerror(errno)));
  return {};
}

bool is_v1(const std::string& dir) { return fs::exists(fs::path(dir) / "cpuset.effective_cpus"); }

Result<std::vector<int>> read_list(const fs::path& path) {
  auto text = read_file(path);
  if (!text) return tl::unexpected(text.error());
  return parse_cpu_list(*text);
}

bool subset(const std::vector<int>& small, const std::vector<int>& big) {
  return std::all_of(small.begin(), small.end(), [&](int x) { return std::find(big.begin(), big.end(), x) != big.end(); });
}

}  // namespace

Result<std::vector<int>> cpuset_effective_cpus(const std::string& dir) {
  return read_list(fs::path(dir) / (is_v1(dir) ? "cpuset.effective_cpus" : "cpuset.cpus.effective"));
}

Result<std::vector<int>> cpuset_effective_mems(const std::string& dir) {
  return read_list(fs::path(dir) / (is_v1(dir) ? "cpuset.effective_mems" : "cpuset.mems.effective"));
}

Result<CpusetState> read_cpuset(const std::string& dir) {
  CpusetState state;
  state.dir = dir;
  state.v2 = !is_v1(dir);
  auto cpus = read_file(fs::path(dir) / "cpuset.cpus");
  if (!cpus) return tl::unexpected(cpus.error());
  auto mems = read_file(fs::path(dir) / "cpuset.mems");
  if (!mems) return tl::unexpected(mems.error());
  state.cpus = *cpus;
  state.mems = *mems;
  return state;
}

Result<void> narrow_cpuset(const std::string& dir, const std::vector<int>& cpus, const std::vector<int>& mems) {
  auto have_cpus = cpuset_effective_cpus(dir);
  if (!have_cpus) return tl::unexpected(have_cpus.error());
  auto have_mems = cpuset_effective_mems(dir);
  if (!have_mems) return tl::unexpected(have_mems.error());
  if (cpus.empty() || !subset(cpus, *have_cpus))
    return fail(ErrorKind::kBadInput, fmt::format("cgroup {}: CPUs {} are not within its cpuset {}; a cpuset is never widened",
                                                  dir, format_cpu_list(cpus), format_cpu_list(*have_cpus)));
  if (mems.empty() || !subset(mems, *have_mems))
    return fail(ErrorKind::kBadInput, fmt::format("cgroup {}: memory nodes {} are not within its cpuset {}; a cpuset is never widened",
                                                  dir, format_cpu_list(mems), format_cpu_list(*have_mems)));
  if (auto ok = write_file(fs::path(dir) / "cpuset.cpus", format_cpu_list(cpus)); !ok) return ok;
  return write_file(fs::path(dir) / "cpuset.mems", format_cpu_list(mems));
}

Result<void> restore_cpuset(const CpusetState& state) {
  if (!fs::exists(state.dir))
    return fail(ErrorKind::kNotFound, fmt::format("cgroup {} no longer exists; nothing to restore", state.dir));
  // v1 refuses an empty value; v2's empty value means "inherit", which is what was there.
  if (auto ok = write_file(fs::path(state.dir) / "cpuset.cpus", state.cpus.empty() && state.v2 ? "\n" : state.cpus); !ok)
    return ok;
  return write_file(fs::path(state.dir) / "cpuset.mems", state.mems.empty() && state.v2 ? "\n" : state.mems);
}

Result<std::vector<int>> cpuset_cpus_of(const HostRoot& root, int pid) {
  return cpuset_cpus_of(root, pid, read_online_cpus(root).value_or(std::vector<int>{}));
}

Result<std::vector<int>> cpuset_cpus_of(const HostRoot& root, int pid, const std::vector<int>& online) {
  auto path = root.read_line(fmt::format("/proc/{}/cpuset", pid));
  if (!path) return online.empty() ? tl::unexpected(path.error()) : Result<std::vector<int>>(online);
  // Where the cpuset controller is mounted: the v1 hierarchy on hybrid hosts, else v2.
  for (const std::string base : {"/sys/fs/cgroup/cpuset", "/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    const std::string dir = root.path(base + (*path == "/" ? "" : *path)).string();
    if (fs::exists(fs::path(dir) / "cpuset.effective_cpus") || fs::exists(fs::path(dir) / "cpuset.cpus.effective")) {
      auto cpus = cpuset_effective_cpus(dir);
      if (!cpus) return tl::unexpected(cpus.error());
      if (online.empty()) return cpus;
      std::vector<int> both;
      std::set_intersection(cpus->begin(), cpus->end(), online.begin(), online.end(), std::back_inserter(both));
      return both;
    }
  }
  return online;
}

}  // namespace aurora::coord
