// cgroups: where they are mounted, which cgroup a process is in, which container or pod a
// cgroup belongs to, and turning a user's --cgroup / --container / --pod into a scope the
// pipeline can filter on (a cgroup v2 id for the BPF filter, and the pids inside it).
//
// Pure v2 (production), hybrid (v1 controllers plus v2 at /sys/fs/cgroup/unified: this host)
// and v1-only hosts are supported. Naming rules and resolution order: docs/containers.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora {

enum class CgroupMode {
  kUnified,  // only cgroup2 (mounted at /sys/fs/cgroup on systemd hosts)
  kHybrid,   // v1 controllers plus a cgroup2 mount (systemd: /sys/fs/cgroup/unified)
  kLegacy,   // v1 only
};

// One v1 hierarchy: e.g. mount_point "/sys/fs/cgroup/cpu,cpuacct", controllers {"cpu",
// "cpuacct"}, or controllers {"name=systemd"} for systemd's named hierarchy.
struct CgroupV1Mount {
  std::string mount_point;               // absolute system path (read through HostRoot)
  std::string root;                      // mountinfo "root" field: "/" unless bind-mounted
  std::vector<std::string> controllers;
  bool has(std::string_view controller) const;
};

struct CgroupLayout {
  CgroupMode mode = CgroupMode::kUnified;
  std::string v2_mount;                  // "" when no cgroup2 is mounted
  std::string v2_root = "/";             // mountinfo root of the cgroup2 mount
  std::vector<CgroupV1Mount> v1_mounts;

  bool has_v2() const { return !v2_mount.empty(); }
  // The v1 mount carrying `controller` ("cpu", "name=systemd", ...), or nullptr.
  const CgroupV1Mount* v1_mount_for(std::string_view controller) const;
};

// Reads /proc/self/mountinfo under the root. kNotFound when no cgroup filesystem is mounted
// (names the file and says to mount one), kBadInput when a cgroup line is malformed.
Result<CgroupLayout> detect_cgroup_layout(const HostRoot& root);
// Same from mountinfo text (tests, captures).
Result<CgroupLayout> parse_cgroup_layout(std::string_view mountinfo, std::string_view source);

// The cgroups of one process, from /proc/PID/cgroup.
struct ProcessCgroup {
  std::optional<std::string> v2_path;                // the "0::" line, when present
  std::map<std::string, std::string> v1_paths;       // controller (or "name=systemd") -> path

  // The path that identifies the process: on pure-v2 and hybrid hosts the v2 path unless it is
  // "/" while a v1 line is more specific (hybrid hosts with a v1 container runtime); on v1-only
  // hosts the cpu, then cpuacct, then name=systemd path. "/" when nothing is more specific.
  std::string primary() const;
};

// kNotFound naming the pid when it has exited; kBadInput naming the file when malformed.
Result<ProcessCgroup> cgroup_of_pid(const HostRoot& root, int pid);
Result<ProcessCgroup> parse_process_cgroup(std::string_view text, std::string_view source);

enum class ContainerRuntime { kDocker, kContainerd, kCrio, kPodman, kUnknown };
std::string_view runtime_name(ContainerRuntime runtime);

struct ContainerRef {
  std::string id;            // full 64-hex container id
  ContainerRuntime runtime = ContainerRuntime::kUnknown;
};

// The container a cgroup path belongs to (the deepest component naming one), e.g.
//   /system.slice/docker-<id>.scope, /docker/<id>,
//   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/
//     cri-containerd-<id>.scope, /kubepods/besteffort/pod<uid>/<id>,
//   crio-<id>.scope, libpod-<id>.scope, /machine.slice/libpod-<id>.scope/container.
// Runtime monitor scopes (crio-conmon-<id>.scope, libpod-conmon-<id>.scope) are not
// containers. std::nullopt when the path names none.
std::optional<ContainerRef> container_from_cgroup(std::string_view cgroup_path);
// The id alone, "" when none.
std::string container_id_from_cgroup(std::string_view cgroup_path);
// The Kubernetes pod UID a cgroup path belongs to, in its canonical dashed form
// (kubepods-...-pod<uid with '_'>.slice under systemd, pod<uid> under cgroupfs); "" when none.
std::string pod_uid_from_cgroup(std::string_view cgroup_path);

// A cgroup the pipeline can filter on.
struct CgroupScope {
  std::string path;         // path inside its hierarchy, e.g. "/system.slice/docker-x.scope"
  std::string fs_path;      // absolute system path of the directory (read through HostRoot)
  std::uint64_t v2_id = 0;  // inode of the v2 directory = bpf_get_current_cgroup_id(); 0 when
                            // the cgroup exists only in a v1 hierarchy (filter by pid then)
  std::string hierarchy;    // "v2", or the v1 controller whose tree holds it ("cpu", ...)
};

// A user's --cgroup: a path inside the v2 hierarchy ("/system.slice/x"), an absolute
// filesystem path ("/sys/fs/cgroup/unified/x", "/sys/fs/cgroup/cpu/x"), or a v1 path
// ("/docker/<id>", looked up in the cpu, cpuacct, name=systemd then other v1 trees). A path
// present in v2 resolves to v2 (v2_id set). kNotFound lists every place tried.
Result<CgroupScope> resolve_cgroup(const HostRoot& root, const CgroupLayout& layout,
                                   const std::string& user_path);
// A user's --container: a full id or a unique prefix of at least 4 hex characters, any
// runtime and driver. kBadInput for a too-short or non-hex id or an ambiguous prefix (listing
// the candidates), kNotFound naming the trees searched.
Result<CgroupScope> resolve_container(const HostRoot& root, const CgroupLayout& layout,
                                      const std::string& id);
// A user's --pod: the pod UID, dashed or with underscores. kNotFound names the trees searched.
Result<CgroupScope> resolve_pod(const HostRoot& root, const CgroupLayout& layout,
                                const std::string& uid);

// Pids in the scope's cgroup.procs and in every descendant cgroup's, sorted and unique.
// kNotFound naming the scope when its directory vanished.
Result<std::vector<int>> pids_in_scope(const HostRoot& root, const CgroupScope& scope);

}  // namespace aurora
