// Container and pod ids from cgroup paths of Docker, containerd, CRI-O and podman under the
// systemd and cgroupfs drivers.
#include <gtest/gtest.h>

#include "aurora/cgroup.hpp"

namespace aurora {
namespace {

const std::string kDocker = "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d";
const std::string kContainerd = "3c8e2a1f0b9d4c7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
const std::string kCrio = "a4b5c6d7e8f90123456789abcdef0123456789abcdef0123456789abcdef0123";
const std::string kPodman = "5a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
const std::string kPodUid = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const std::string kPodUidSystemd = "6f1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d";

struct Case {
  std::string path;
  std::string id;
  ContainerRuntime runtime;
};

TEST(ContainerNaming, RecognisesEveryRuntimeUnderBothDrivers) {
  const std::vector<Case> cases = {
      // Docker, systemd driver (also rootless under user@.service) and cgroupfs driver.
      {"/system.slice/docker-" + kDocker + ".scope", kDocker, ContainerRuntime::kDocker},
      {"/user.slice/user-1000.slice/user@1000.service/docker-" + kDocker + ".scope", kDocker,
       ContainerRuntime::kDocker},
      {"/docker/" + kDocker, kDocker, ContainerRuntime::kDocker},
      // Kubernetes + containerd, systemd driver (all three QoS classes) and cgroupfs driver.
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kPodUidSystemd +
           ".slice/cri-containerd-" + kContainerd + ".scope",
       kContainerd, ContainerRuntime::kContainerd},
      {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kPodUidSystemd +
           ".slice/cri-containerd-" + kContainerd + ".scope",
       kContainerd, ContainerRuntime::kContainerd},
      {"/kubepods.slice/kubepods-pod" + kPodUidSystemd + ".slice/cri-containerd-" + kContainerd +
           ".scope",
       kContainerd, ContainerRuntime::kContainerd},
      {"/kubepods/burstable/pod" + kPodUid + "/" + kContainerd, kContainerd,
       ContainerRuntime::kUnknown},
      // CRI-O, systemd driver and cgroupfs driver (crio-<id> without .scope).
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kPodUidSystemd +
           ".slice/crio-" + kCrio + ".scope",
       kCrio, ContainerRuntime::kCrio},
      {"/kubepods/besteffort/pod" + kPodUid + "/crio-" + kCrio, kCrio, ContainerRuntime::kCrio},
      // Kubernetes with the Docker engine (dockershim / cri-dockerd).
      {"/kubepods.slice/kubepods-pod" + kPodUidSystemd + ".slice/docker-" + kDocker + ".scope",
       kDocker, ContainerRuntime::kDocker},
      // podman, systemd driver (with crun's inner "container" cgroup) and cgroupfs driver.
      {"/machine.slice/libpod-" + kPodman + ".scope", kPodman, ContainerRuntime::kPodman},
      {"/machine.slice/libpod-" + kPodman + ".scope/container", kPodman, ContainerRuntime::kPodman},
      {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kPodman + ".scope",
       kPodman, ContainerRuntime::kPodman},
      {"/libpod_parent/libpod-" + kPodman, kPodman, ContainerRuntime::kPodman},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    auto ref = container_from_cgroup(c.path);
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->id, c.id);
    EXPECT_EQ(ref->runtime, c.runtime) << runtime_name(ref->runtime);
    EXPECT_EQ(container_id_from_cgroup(c.path), c.id);
  }
}

TEST(ContainerNaming, MonitorScopesAndOrdinaryUnitsAreNotContainers) {
  for (const std::string& path : std::vector<std::string>{
           "/machine.slice/libpod-conmon-" + kPodman + ".scope",
           "/kubepods.slice/kubepods-pod" + kPodUidSystemd + ".slice/crio-conmon-" + kCrio + ".scope",
           std::string("/libpod_parent/conmon"),
           std::string("/system.slice/docker.service"),
           std::string("/system.slice/containerd.service"),
           std::string("/"),
           std::string(""),
           "/system.slice/docker-" + kDocker.substr(0, 63) + ".scope",  // one digit short
           "/system.slice/docker-" + kDocker + ".mount",
           std::string("/process_api/7d2160add211b5b12c0ac523247101d9"),  // 32 hex: not an id
           "/kubepods.slice/kubepods-pod" + kPodUidSystemd + ".slice",
       }) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(container_from_cgroup(path).has_value());
    EXPECT_EQ(container_id_from_cgroup(path), "");
  }
}

TEST(ContainerNaming, NestedRuntimesNameTheInnermostContainer) {
  const std::string path = "/system.slice/docker-" + kDocker + ".scope/docker/" + kContainerd;
  EXPECT_EQ(container_id_from_cgroup(path), kContainerd);
}

TEST(PodNaming, ExtractsTheUidUnderBothDrivers) {
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                                kPodUidSystemd + ".slice/cri-containerd-" + kContainerd + ".scope"),
            kPodUid);
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                                kPodUidSystemd + ".slice"),
            kPodUid);
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-pod" + kPodUidSystemd + ".slice"), kPodUid);
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods/burstable/pod" + kPodUid + "/" + kContainerd), kPodUid);
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods/pod" + kPodUid), kPodUid);
  // Static pods: the UID is a 32-hex config hash.
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-burstable.slice/"
                                "kubepods-burstable-pod5b3bd1a6a1d7f0d0b5d2c3e4f5a6b7c8.slice"),
            "5b3bd1a6a1d7f0d0b5d2c3e4f5a6b7c8");
}

TEST(PodNaming, NoPodOutsideKubepods) {
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods.slice/kubepods-burstable.slice"), "");
  EXPECT_EQ(pod_uid_from_cgroup("/system.slice/pod" + kPodUid), "");
  EXPECT_EQ(pod_uid_from_cgroup("/kubepods/burstable/podnotauid"), "");
  EXPECT_EQ(pod_uid_from_cgroup("/system.slice/docker-" + kDocker + ".scope"), "");
}

}  // namespace
}  // namespace aurora
