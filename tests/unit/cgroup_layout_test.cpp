// Cgroup layout detection from mountinfo of pure-v2, hybrid and v1-only hosts, and
// /proc/PID/cgroup parsing.
#include <gtest/gtest.h>

#include "aurora/cgroup.hpp"
#include "fake_tree.hpp"

namespace aurora {
namespace {

// Debian 12 / Fedora: systemd with the unified hierarchy only.
const char* kPureV2 =
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
    "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n";

// Ubuntu 20.04 / Debian 10 systemd hybrid: v1 controllers plus cgroup2 at .../unified.
const char* kHybrid =
    "25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 "
    "cgroup2 rw,nsdelegate\n"
    "27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
    "cgroup rw,xattr,name=systemd\n"
    "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup "
    "cgroup rw,memory\n"
    "32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - "
    "cgroup cgroup rw,net_cls,net_prio\n"
    "33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup "
    "rw,pids\n";

// CentOS 7: v1 only, no cgroup2 anywhere.
const char* kV1Only =
    "24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:6 - tmpfs tmpfs ro,seclabel,mode=755\n"
    "25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup "
    "rw,seclabel,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "27 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup "
    "cgroup rw,seclabel,cpuacct,cpu\n"
    "28 24 0:24 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup "
    "rw,seclabel,cpuset\n";

// This host: no optional fields, one hierarchy per controller, v2 at .../unified.
const char* kThisHost =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(CgroupLayout, PureV2) {
  auto layout = parse_cgroup_layout(kPureV2, "mountinfo");
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->mode, CgroupMode::kUnified);
  EXPECT_EQ(layout->v2_mount, "/sys/fs/cgroup");
  EXPECT_TRUE(layout->v1_mounts.empty());
}

TEST(CgroupLayout, HybridKeepsEveryV1HierarchyAndTheUnifiedMount) {
  auto layout = parse_cgroup_layout(kHybrid, "mountinfo");
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->mode, CgroupMode::kHybrid);
  EXPECT_EQ(layout->v2_mount, "/sys/fs/cgroup/unified");
  ASSERT_EQ(layout->v1_mounts.size(), 5u);
  const CgroupV1Mount* cpu = layout->v1_mount_for("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(layout->v1_mount_for("cpuacct"), cpu);
  const CgroupV1Mount* systemd = layout->v1_mount_for("name=systemd");
  ASSERT_NE(systemd, nullptr);
  // "xattr" is a mount option, not a controller.
  EXPECT_EQ(systemd->controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ(layout->v1_mount_for("blkio"), nullptr);
}

TEST(CgroupLayout, V1Only) {
  auto layout = parse_cgroup_layout(kV1Only, "mountinfo");
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->mode, CgroupMode::kLegacy);
  EXPECT_FALSE(layout->has_v2());
  const CgroupV1Mount* cpu = layout->v1_mount_for("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->controllers, (std::vector<std::string>{"cpuacct", "cpu"}));
  // release_agent=... is an option, not a named hierarchy.
  EXPECT_EQ(layout->v1_mount_for("name=systemd")->controllers,
            std::vector<std::string>{"name=systemd"});
}

TEST(CgroupLayout, DetectsThisHostsShapeThroughTheRoot) {
  FakeTree tree;
  tree.write("/proc/self/mountinfo", kThisHost);
  auto layout = detect_cgroup_layout(HostRoot(tree.path()));
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->mode, CgroupMode::kHybrid);
  EXPECT_EQ(layout->v2_mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(layout->v1_mount_for("cpu")->mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(layout->v1_mount_for("cpuacct")->mount_point, "/sys/fs/cgroup/cpuacct");
}

TEST(CgroupLayout, EscapedMountPointIsDecoded) {
  auto layout = parse_cgroup_layout(
      "40 30 0:37 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw\n", "mountinfo");
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->v2_mount, "/mnt/my cgroups");
}

TEST(CgroupLayout, PrefersTheWholeHierarchyOverABindOfASubtree) {
  auto layout = parse_cgroup_layout(
      "50 30 0:37 /kubepods /var/lib/kubelet/cg rw - cgroup2 cgroup2 rw\n"
      "51 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
      "mountinfo");
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->v2_mount, "/sys/fs/cgroup");
  EXPECT_EQ(layout->v2_root, "/");
}

TEST(CgroupLayout, NoCgroupMountedIsNotFoundSayingWhatToDo) {
  auto layout = parse_cgroup_layout(kPureV2 + std::string(), "x");
  ASSERT_TRUE(layout);
  auto none = parse_cgroup_layout("23 28 0:22 / /proc rw - proc proc rw\n", "/proc/self/mountinfo");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(none.error().message.find("mount -t cgroup2"), std::string::npos);
}

TEST(CgroupLayout, MalformedLineIsBadInputNamingTheFile) {
  FakeTree tree;
  tree.write("/proc/self/mountinfo", "31 30 0:28 / /sys/fs/cgroup/cpu rw cgroup cgroup rw,cpu\n");
  auto layout = detect_cgroup_layout(HostRoot(tree.path()));
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(layout.error().message.find("mountinfo:1"), std::string::npos) << layout.error().message;
}

TEST(ProcessCgroupFile, PureV2) {
  FakeTree tree;
  tree.write("/proc/10/cgroup", "0::/system.slice/nginx.service\n");
  auto cgroup = cgroup_of_pid(HostRoot(tree.path()), 10);
  ASSERT_TRUE(cgroup) << cgroup.error().message;
  EXPECT_EQ(cgroup->v2_path, "/system.slice/nginx.service");
  EXPECT_TRUE(cgroup->v1_paths.empty());
  EXPECT_EQ(cgroup->primary(), "/system.slice/nginx.service");
}

TEST(ProcessCgroupFile, HybridWithCgroupfsDockerUsesTheCpuPath) {
  // Docker's cgroupfs driver on a hybrid host: v1 controllers name the container, v2 does not.
  const std::string id = "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970";
  auto cgroup = parse_process_cgroup(
      "12:pids:/docker/" + id + "\n4:cpu,cpuacct:/docker/" + id + "\n3:memory:/docker/" + id +
          "\n1:name=systemd:/docker/" + id + "\n0::/\n",
      "cgroup");
  ASSERT_TRUE(cgroup) << cgroup.error().message;
  EXPECT_EQ(cgroup->v2_path, "/");
  EXPECT_EQ(cgroup->v1_paths.at("cpu"), "/docker/" + id);
  EXPECT_EQ(cgroup->v1_paths.at("cpuacct"), "/docker/" + id);
  EXPECT_EQ(cgroup->primary(), "/docker/" + id);
}

TEST(ProcessCgroupFile, HybridSystemdPrefersTheV2Path) {
  auto cgroup = parse_process_cgroup(
      "5:cpu,cpuacct:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n"
      "0::/system.slice/cron.service\n",
      "cgroup");
  ASSERT_TRUE(cgroup);
  EXPECT_EQ(cgroup->primary(), "/system.slice/cron.service");
}

TEST(ProcessCgroupFile, V1OnlyFallsBackToCpuThenSystemd) {
  auto cpu = parse_process_cgroup("2:cpuacct,cpu:/kubepods/pod1/abc\n1:name=systemd:/x\n", "cgroup");
  ASSERT_TRUE(cpu);
  EXPECT_FALSE(cpu->v2_path.has_value());
  EXPECT_EQ(cpu->primary(), "/kubepods/pod1/abc");
  auto systemd = parse_process_cgroup("2:cpuacct,cpu:/\n1:name=systemd:/user.slice/x.scope\n", "cgroup");
  ASSERT_TRUE(systemd);
  EXPECT_EQ(systemd->primary(), "/user.slice/x.scope");
  auto root_only = parse_process_cgroup("2:cpuacct,cpu:/\n", "cgroup");
  ASSERT_TRUE(root_only);
  EXPECT_EQ(root_only->primary(), "/");
}

TEST(ProcessCgroupFile, MalformedIsBadInputAndMissingIsNotFound) {
  FakeTree tree;
  tree.write("/proc/11/cgroup", "cpu:/x\n");
  auto bad = cgroup_of_pid(HostRoot(tree.path()), 11);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(bad.error().message.find("/proc/11/cgroup"), std::string::npos) << bad.error().message;

  auto gone = cgroup_of_pid(HostRoot(tree.path()), 12);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message.find("process 12"), std::string::npos);
}

}  // namespace
}  // namespace aurora
