// --cgroup / --container / --pod resolution and pids_in_scope on fake cgroup trees: a pure-v2
// systemd host running Docker, Kubernetes (containerd and CRI-O) and podman, and a hybrid host
// whose runtimes use the cgroupfs driver in the v1 hierarchies.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "aurora/cgroup.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

const std::string kDocker = "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d";
const std::string kContainerd = "3c8e2a1f0b9d4c7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
const std::string kCrio = "a4b5c6d7e8f90123456789abcdef0123456789abcdef0123456789abcdef0123";
const std::string kPodman = "5a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
// Shares its first 6 characters with kPodman.
const std::string kPodman2 = "5a1e2b00000000000000000000000000000000000000000000000000000000ff";
const std::string kPodUid = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const std::string kPodUidSystemd = "6f1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d";
const std::string kPod2Uid = "11111111-2222-4333-8444-555555555555";

const std::string kKubeBurstable = "/kubepods.slice/kubepods-burstable.slice";
const std::string kPodSlice =
    kKubeBurstable + "/kubepods-burstable-pod" + kPodUidSystemd + ".slice";

class PureV2Host : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write("/proc/self/mountinfo",
                "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
                "cgroup2 rw,nsdelegate,memory_recursiveprot\n");
    cgroup("/", "1\n");
    cgroup("/system.slice", "");
    cgroup("/system.slice/docker.service", "700\n");
    cgroup("/system.slice/docker-" + kDocker + ".scope", "1001\n1002\n");
    cgroup(kKubeBurstable, "");
    cgroup(kPodSlice, "");
    cgroup(kPodSlice + "/cri-containerd-" + kContainerd + ".scope", "2001\n");
    cgroup(kPodSlice + "/crio-conmon-" + kCrio + ".scope", "3000\n");
    cgroup(kPodSlice + "/crio-" + kCrio + ".scope", "3001\n3002\n");
    cgroup("/machine.slice", "");
    cgroup("/machine.slice/libpod-conmon-" + kPodman + ".scope", "4000\n");
    cgroup("/machine.slice/libpod-" + kPodman + ".scope", "");
    cgroup("/machine.slice/libpod-" + kPodman + ".scope/container", "4001\n4002\n");
    cgroup("/machine.slice/libpod-" + kPodman2 + ".scope", "5001\n");
    auto layout = detect_cgroup_layout(root_);
    ASSERT_TRUE(layout) << layout.error().message;
    layout_ = *layout;
  }
  void cgroup(const std::string& path, const std::string& procs) {
    tree_.write("/sys/fs/cgroup" + (path == "/" ? std::string() : path) + "/cgroup.procs", procs);
  }
  std::uint64_t inode_of(const std::string& absolute) {
    struct stat info {};
    EXPECT_EQ(::stat(tree_.resolve(absolute).c_str(), &info), 0);
    return info.st_ino;
  }

  FakeTree tree_;
  HostRoot root_{tree_.path()};
  CgroupLayout layout_;
};

TEST_F(PureV2Host, ResolvesAV2PathWithItsInode) {
  auto scope = resolve_cgroup(root_, layout_, "/system.slice/docker-" + kDocker + ".scope");
  ASSERT_TRUE(scope) << scope.error().message;
  EXPECT_EQ(scope->hierarchy, "v2");
  EXPECT_EQ(scope->path, "/system.slice/docker-" + kDocker + ".scope");
  EXPECT_EQ(scope->fs_path, "/sys/fs/cgroup/system.slice/docker-" + kDocker + ".scope");
  EXPECT_EQ(scope->v2_id, inode_of(scope->fs_path));
  EXPECT_NE(scope->v2_id, 0u);
}

TEST_F(PureV2Host, AcceptsAnAbsoluteFilesystemPathAndSloppySlashes) {
  auto fs_form = resolve_cgroup(root_, layout_, "/sys/fs/cgroup/system.slice/docker.service/");
  ASSERT_TRUE(fs_form) << fs_form.error().message;
  EXPECT_EQ(fs_form->path, "/system.slice/docker.service");
  auto relative = resolve_cgroup(root_, layout_, "system.slice//docker.service");
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->v2_id, fs_form->v2_id);
  auto controller_form = resolve_cgroup(root_, layout_, "0::/system.slice/docker.service");
  ASSERT_TRUE(controller_form) << controller_form.error().message;
  EXPECT_EQ(controller_form->v2_id, fs_form->v2_id);
  auto whole = resolve_cgroup(root_, layout_, "/");
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->fs_path, "/sys/fs/cgroup");
}

TEST_F(PureV2Host, UnknownCgroupIsNotFoundListingWhatWasTried) {
  auto scope = resolve_cgroup(root_, layout_, "/system.slice/nope.service");
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(scope.error().message.find("sys/fs/cgroup/system.slice/nope.service"), std::string::npos)
      << scope.error().message;
  auto dotdot = resolve_cgroup(root_, layout_, "/system.slice/../../etc");
  ASSERT_FALSE(dotdot);
  EXPECT_EQ(dotdot.error().kind, ErrorKind::kBadInput);
  auto empty = resolve_cgroup(root_, layout_, "  ");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kBadInput);
  auto no_v1 = resolve_cgroup(root_, layout_, "cpu:/docker");
  ASSERT_FALSE(no_v1);
  EXPECT_EQ(no_v1.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(no_v1.error().message.find("cpu"), std::string::npos);
}

TEST_F(PureV2Host, ResolvesEachRuntimeByFullIdAndPrefix) {
  auto docker = resolve_container(root_, layout_, kDocker);
  ASSERT_TRUE(docker) << docker.error().message;
  EXPECT_EQ(docker->path, "/system.slice/docker-" + kDocker + ".scope");

  auto containerd = resolve_container(root_, layout_, "containerd://" + kContainerd.substr(0, 12));
  ASSERT_TRUE(containerd) << containerd.error().message;
  EXPECT_EQ(containerd->path, kPodSlice + "/cri-containerd-" + kContainerd + ".scope");

  // The conmon scope carries the same id; the container is the crio- scope.
  auto crio = resolve_container(root_, layout_, kCrio.substr(0, 4));
  ASSERT_TRUE(crio) << crio.error().message;
  EXPECT_EQ(crio->path, kPodSlice + "/crio-" + kCrio + ".scope");

  // podman: the libpod scope, not the inner "container" cgroup and not conmon's scope.
  auto podman = resolve_container(root_, layout_, kPodman.substr(0, 7));
  ASSERT_TRUE(podman) << podman.error().message;
  EXPECT_EQ(podman->path, "/machine.slice/libpod-" + kPodman + ".scope");
  EXPECT_EQ(podman->v2_id, inode_of(podman->fs_path));
  auto upper = resolve_container(root_, layout_, "9EC39B91");
  ASSERT_TRUE(upper) << upper.error().message;
  EXPECT_EQ(upper->path, docker->path);
}

TEST_F(PureV2Host, AmbiguousOrMalformedOrUnknownIdsSayWhy) {
  auto ambiguous = resolve_container(root_, layout_, "5a1e2b");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(ambiguous.error().message.find(kPodman), std::string::npos) << ambiguous.error().message;
  EXPECT_NE(ambiguous.error().message.find(kPodman2), std::string::npos);

  auto short_id = resolve_container(root_, layout_, "9ec");
  ASSERT_FALSE(short_id);
  EXPECT_EQ(short_id.error().kind, ErrorKind::kBadInput);
  auto not_hex = resolve_container(root_, layout_, "nginx");
  ASSERT_FALSE(not_hex);
  EXPECT_EQ(not_hex.error().kind, ErrorKind::kBadInput);

  auto unknown = resolve_container(root_, layout_, "deadbeef");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(unknown.error().message.find("deadbeef"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("sys/fs/cgroup"), std::string::npos) << unknown.error().message;
}

TEST_F(PureV2Host, ResolvesAPodByDashedOrUnderscoredUid) {
  for (const std::string& uid : {kPodUid, kPodUidSystemd, std::string("6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D")}) {
    auto pod = resolve_pod(root_, layout_, uid);
    ASSERT_TRUE(pod) << pod.error().message;
    EXPECT_EQ(pod->path, kPodSlice);
  }
  auto missing = resolve_pod(root_, layout_, kPod2Uid);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find(kPod2Uid), std::string::npos);
  auto bad = resolve_pod(root_, layout_, "my-pod");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadInput);
}

TEST_F(PureV2Host, PidsInScopeIncludeDescendantsAndNothingElse) {
  auto pod = resolve_pod(root_, layout_, kPodUid);
  ASSERT_TRUE(pod);
  auto pids = pids_in_scope(root_, *pod);
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(*pids, (std::vector<int>{2001, 3000, 3001, 3002}));

  auto podman = resolve_container(root_, layout_, kPodman);
  ASSERT_TRUE(podman);
  auto podman_pids = pids_in_scope(root_, *podman);
  ASSERT_TRUE(podman_pids) << podman_pids.error().message;
  EXPECT_EQ(*podman_pids, (std::vector<int>{4001, 4002}));
}

TEST_F(PureV2Host, VanishedScopeIsNotFoundNamingIt) {
  auto docker = resolve_container(root_, layout_, kDocker);
  ASSERT_TRUE(docker);
  tree_.remove("/sys/fs/cgroup/system.slice/docker-" + kDocker + ".scope");
  auto pids = pids_in_scope(root_, *docker);
  ASSERT_FALSE(pids);
  EXPECT_EQ(pids.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(pids.error().message.find("docker-" + kDocker), std::string::npos) << pids.error().message;
}

TEST_F(PureV2Host, MalformedCgroupProcsIsBadInputNamingTheFile) {
  cgroup("/system.slice/docker.service", "700\nseven hundred\n");
  auto scope = resolve_cgroup(root_, layout_, "/system.slice/docker.service");
  ASSERT_TRUE(scope);
  auto pids = pids_in_scope(root_, *scope);
  ASSERT_FALSE(pids);
  EXPECT_EQ(pids.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(pids.error().message.find("docker.service/cgroup.procs"), std::string::npos);
}

// A hybrid host (like this one): v2 at /sys/fs/cgroup/unified holds systemd's view, while
// Docker and the kubelet use the cgroupfs driver in the v1 hierarchies.
class HybridCgroupfsHost : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write("/proc/self/mountinfo",
                "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
                "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
                "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
                "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n");
    for (const std::string hierarchy : {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory"}) {
      tree_.write(hierarchy + "/cgroup.procs", "1\n");
      tree_.write(hierarchy + "/docker/cgroup.procs", "");
      tree_.write(hierarchy + "/docker/" + kDocker + "/cgroup.procs", "1001\n");
      tree_.write(hierarchy + "/kubepods/burstable/pod" + kPodUid + "/" + kContainerd +
                      "/cgroup.procs",
                  "2001\n");
      tree_.write(hierarchy + "/kubepods/burstable/pod" + kPodUid + "/crio-" + kCrio + "/cgroup.procs",
                  "3001\n");
      tree_.write(hierarchy + "/kubepods/burstable/pod" + kPodUid + "/cgroup.procs", "");
    }
    tree_.write("/sys/fs/cgroup/systemd/cgroup.procs", "1\n");
    tree_.write("/sys/fs/cgroup/systemd/system.slice/cron.service/cgroup.procs", "600\n");
    tree_.write("/sys/fs/cgroup/unified/cgroup.procs", "1\n1001\n2001\n3001\n");
    tree_.write("/sys/fs/cgroup/unified/system.slice/cron.service/cgroup.procs", "600\n");
    auto layout = detect_cgroup_layout(root_);
    ASSERT_TRUE(layout) << layout.error().message;
    layout_ = *layout;
  }

  FakeTree tree_;
  HostRoot root_{tree_.path()};
  CgroupLayout layout_;
};

TEST_F(HybridCgroupfsHost, V2PathWinsWhenItExists) {
  auto scope = resolve_cgroup(root_, layout_, "/system.slice/cron.service");
  ASSERT_TRUE(scope) << scope.error().message;
  EXPECT_EQ(scope->hierarchy, "v2");
  EXPECT_EQ(scope->fs_path, "/sys/fs/cgroup/unified/system.slice/cron.service");
  EXPECT_NE(scope->v2_id, 0u);
}

TEST_F(HybridCgroupfsHost, V1OnlyPathFallsBackToTheCpuHierarchy) {
  auto scope = resolve_cgroup(root_, layout_, "/docker/" + kDocker);
  ASSERT_TRUE(scope) << scope.error().message;
  EXPECT_EQ(scope->hierarchy, "cpu");
  EXPECT_EQ(scope->fs_path, "/sys/fs/cgroup/cpu,cpuacct/docker/" + kDocker);
  EXPECT_EQ(scope->v2_id, 0u);  // no v2 directory: the pipeline filters by pid

  auto memory = resolve_cgroup(root_, layout_, "memory:/docker/" + kDocker);
  ASSERT_TRUE(memory) << memory.error().message;
  EXPECT_EQ(memory->fs_path, "/sys/fs/cgroup/memory/docker/" + kDocker);
  auto absolute = resolve_cgroup(root_, layout_, "/sys/fs/cgroup/memory/docker");
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ(absolute->hierarchy, "memory");
  EXPECT_EQ(absolute->path, "/docker");
}

TEST_F(HybridCgroupfsHost, NotFoundListsEveryHierarchyTried) {
  auto scope = resolve_cgroup(root_, layout_, "/docker/none");
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().kind, ErrorKind::kNotFound);
  for (const char* tried : {"unified/docker/none", "cpu,cpuacct/docker/none", "systemd/docker/none",
                            "memory/docker/none"})
    EXPECT_NE(scope.error().message.find(tried), std::string::npos) << scope.error().message;
}

TEST_F(HybridCgroupfsHost, ResolvesCgroupfsContainersAndPods) {
  auto docker = resolve_container(root_, layout_, kDocker.substr(0, 12));
  ASSERT_TRUE(docker) << docker.error().message;
  EXPECT_EQ(docker->path, "/docker/" + kDocker);
  EXPECT_EQ(docker->hierarchy, "cpu");

  auto containerd = resolve_container(root_, layout_, kContainerd);
  ASSERT_TRUE(containerd) << containerd.error().message;
  EXPECT_EQ(containerd->path, "/kubepods/burstable/pod" + kPodUid + "/" + kContainerd);

  auto crio = resolve_container(root_, layout_, kCrio.substr(0, 8));
  ASSERT_TRUE(crio) << crio.error().message;
  EXPECT_EQ(crio->path, "/kubepods/burstable/pod" + kPodUid + "/crio-" + kCrio);

  auto pod = resolve_pod(root_, layout_, kPodUid);
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->path, "/kubepods/burstable/pod" + kPodUid);
  auto pids = pids_in_scope(root_, *pod);
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(*pids, (std::vector<int>{2001, 3001}));
}

}  // namespace
}  // namespace aurora
