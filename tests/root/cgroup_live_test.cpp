// Cgroup layout, resolution and membership on this host's real cgroup trees: the test makes
// its own cgroups (v2 and v1 cpu), moves children it started into them, and removes them again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "aurora/cgroup.hpp"
#include "test_child.hpp"

namespace aurora {
namespace {

namespace fs = std::filesystem;

// A cgroup directory made for one test and removed when it goes out of scope; any process
// still inside is moved to the parent first so rmdir cannot fail with EBUSY.
class TempCgroup {
 public:
  TempCgroup(const std::string& parent, const std::string& name) : parent_(parent), path_(parent + "/" + name) {
    created_ = ::mkdir(path_.c_str(), 0755) == 0;
  }
  TempCgroup(const TempCgroup&) = delete;
  TempCgroup& operator=(const TempCgroup&) = delete;
  ~TempCgroup() {
    if (!created_) return;
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::ifstream procs(path_ + "/cgroup.procs");
      for (int pid; procs >> pid;) std::ofstream(parent_ + "/cgroup.procs") << pid << '\n';
      if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "could not remove test cgroup " << path_ << ": " << std::strerror(errno);
  }
  bool created() const { return created_; }
  const std::string& path() const { return path_; }
  bool add(pid_t pid) const {
    std::ofstream procs(path_ + "/cgroup.procs");
    procs << pid << '\n';
    procs.flush();
    return static_cast<bool>(procs);
  }

 private:
  std::string parent_;
  std::string path_;
  bool created_ = false;
};

std::uint64_t inode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_ino) : 0;
}

// The cgroup id the kernel exports through a file handle (what libbpf and systemd use).
std::uint64_t handle_id_of(const std::string& path) {
  struct {
    file_handle handle;
    std::uint64_t id;
  } buffer{};
  buffer.handle.handle_bytes = sizeof(std::uint64_t);
  int mount_id = 0;
  if (::name_to_handle_at(AT_FDCWD, path.c_str(), &buffer.handle, &mount_id, 0) != 0) return 0;
  std::uint64_t id = 0;
  std::memcpy(&id, buffer.handle.f_handle, sizeof id);
  return id;
}

// A raw_tp program that stores bpf_get_current_cgroup_id() in an array map. Run through
// BPF_PROG_TEST_RUN, "current" is the calling task, so a process inside a cgroup learns the id
// the pipeline's BPF filter will compare against.
class CgroupIdProbe {
 public:
  CgroupIdProbe() {
    map_fd_ = bpf_map_create(BPF_MAP_TYPE_ARRAY, "aurora_cgid", 4, 8, 1, nullptr);
    if (map_fd_ < 0) return;
    const auto insn = [](std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
      bpf_insn i{};
      i.code = code;
      i.dst_reg = dst & 0xf;
      i.src_reg = src & 0xf;
      i.off = off;
      i.imm = imm;
      return i;
    };
    const bpf_insn program[] = {
        insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_cgroup_id),
        insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_0, -8, 0),   // value = r0
        insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -12, 0),            // key = 0
        insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd_),
        insn(0, 0, 0, 0, 0),
        insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
        insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -12),
        insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0),
        insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, -8),
        insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, BPF_ANY),
        insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem),
        insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
        insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
    prog_fd_ = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "aurora_cgid", "GPL", program,
                             sizeof program / sizeof program[0], nullptr);
  }
  ~CgroupIdProbe() {
    if (prog_fd_ >= 0) ::close(prog_fd_);
    if (map_fd_ >= 0) ::close(map_fd_);
  }
  bool loaded() const { return prog_fd_ >= 0; }
  // The cgroup id of the calling task as BPF sees it, 0 on failure.
  std::uint64_t current_cgroup_id() const {
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    if (bpf_prog_test_run_opts(prog_fd_, &opts) != 0) return 0;
    std::uint32_t key = 0;
    std::uint64_t value = 0;
    return bpf_map_lookup_elem(map_fd_, &key, &value) == 0 ? value : 0;
  }

 private:
  int map_fd_ = -1;
  int prog_fd_ = -1;
};

// A child that does nothing but wait to be released.
TestChild idle_child() {
  return TestChild([](TestChild::Channel& channel) { channel.report(0); });
}

std::string unique_name(const std::string& stem) {
  return stem + "-" + std::to_string(::getpid());
}

CgroupLayout live_layout() {
  auto layout = detect_cgroup_layout(HostRoot());
  if (!layout) ADD_FAILURE() << layout.error().message;
  return layout ? *layout : CgroupLayout{};
}

TEST(CgroupLive, LayoutMatchesTheMountedFilesystems) {
  const CgroupLayout layout = live_layout();
  if (layout.has_v2()) {
    EXPECT_TRUE(fs::exists(layout.v2_mount + "/cgroup.controllers")) << layout.v2_mount;
  }
  for (const CgroupV1Mount& mount : layout.v1_mounts) {
    EXPECT_TRUE(fs::exists(mount.mount_point + "/tasks")) << mount.mount_point;  // v1 only
    EXPECT_FALSE(mount.controllers.empty());
  }
  EXPECT_EQ(layout.mode == CgroupMode::kHybrid, layout.has_v2() && !layout.v1_mounts.empty());
  auto self = cgroup_of_pid(HostRoot(), ::getpid());
  ASSERT_TRUE(self) << self.error().message;
  EXPECT_EQ(self->v2_path.has_value(), layout.has_v2());
}

TEST(CgroupLive, V2CgroupWithNestedChildFindsBothAndNotTheSibling) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: making cgroups needs root";
  const CgroupLayout layout = live_layout();
  if (!layout.has_v2()) GTEST_SKIP() << "SKIPPED: no cgroup v2 hierarchy mounted";
  const std::string name = unique_name("aurora-proc-v2");
  std::string top_fs_path;
  {
    TempCgroup top(layout.v2_mount, name);
    ASSERT_TRUE(top.created()) << top.path() << ": " << std::strerror(errno);
    TempCgroup nested(top.path(), "nested");
    TempCgroup sibling(layout.v2_mount, name + "-sibling");
    ASSERT_TRUE(nested.created() && sibling.created());
    top_fs_path = top.path();

    TestChild in_top = idle_child(), in_nested = idle_child(), outside = idle_child();
    in_top.wait_ready();
    in_nested.wait_ready();
    outside.wait_ready();
    ASSERT_TRUE(top.add(in_top.pid()));
    ASSERT_TRUE(nested.add(in_nested.pid()));
    ASSERT_TRUE(sibling.add(outside.pid()));

    auto scope = resolve_cgroup(HostRoot(), layout, "/" + name);
    ASSERT_TRUE(scope) << scope.error().message;
    EXPECT_EQ(scope->hierarchy, "v2");
    EXPECT_EQ(scope->path, "/" + name);
    EXPECT_EQ(scope->fs_path, top.path());
    EXPECT_EQ(scope->v2_id, inode_of(top.path()));
    EXPECT_EQ(scope->v2_id, handle_id_of(top.path()));

    auto by_fs_path = resolve_cgroup(HostRoot(), layout, top.path());
    ASSERT_TRUE(by_fs_path) << by_fs_path.error().message;
    EXPECT_EQ(by_fs_path->v2_id, scope->v2_id);

    auto pids = pids_in_scope(HostRoot(), *scope);
    ASSERT_TRUE(pids) << pids.error().message;
    EXPECT_EQ(*pids, (std::vector<int>{std::min(in_top.pid(), in_nested.pid()),
                                       std::max(in_top.pid(), in_nested.pid())}));

    auto top_cgroup = cgroup_of_pid(HostRoot(), in_top.pid());
    auto nested_cgroup = cgroup_of_pid(HostRoot(), in_nested.pid());
    ASSERT_TRUE(top_cgroup && nested_cgroup);
    EXPECT_EQ(top_cgroup->v2_path, "/" + name);
    EXPECT_EQ(nested_cgroup->v2_path, "/" + name + "/nested");
    EXPECT_EQ(nested_cgroup->primary(), "/" + name + "/nested");

    // What BPF sees for a task in the nested cgroup is that directory's inode.
    ASSERT_TRUE(CgroupIdProbe().loaded()) << "raw_tp program did not load: " << std::strerror(errno);
    const std::string nested_procs = nested.path() + "/cgroup.procs";
    TestChild bpf_child([&](TestChild::Channel& channel) {
      std::ofstream(nested_procs) << 0 << '\n';  // "0" moves the writer itself
      // Loaded here: TestChild closes the descriptors it inherited.
      CgroupIdProbe probe;
      channel.report(probe.loaded() ? probe.current_cgroup_id() : 0);
    });
    const std::uint64_t bpf_id = bpf_child.wait_ready();
    EXPECT_EQ(bpf_id, inode_of(nested.path()));
    auto nested_scope = resolve_cgroup(HostRoot(), layout, "/" + name + "/nested");
    ASSERT_TRUE(nested_scope) << nested_scope.error().message;
    EXPECT_EQ(nested_scope->v2_id, bpf_id);
    std::printf("MEASURED v2 cgroup id: stat inode %llu, name_to_handle_at %llu, "
                "bpf_get_current_cgroup_id %llu\n",
                static_cast<unsigned long long>(inode_of(nested.path())),
                static_cast<unsigned long long>(handle_id_of(nested.path())),
                static_cast<unsigned long long>(bpf_id));
  }
  // RAII removed all three cgroups; a scope resolved before now names what vanished.
  EXPECT_FALSE(fs::exists(top_fs_path));
  EXPECT_FALSE(fs::exists(top_fs_path + "-sibling"));
  CgroupScope stale{"/" + name, top_fs_path, 1, "v2"};
  auto gone = pids_in_scope(HostRoot(), stale);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message.find(name), std::string::npos) << gone.error().message;
}

TEST(CgroupLive, V1CpuCgroupWithNestedChildFindsBothAndNotTheSibling) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: making cgroups needs root";
  const CgroupLayout layout = live_layout();
  const CgroupV1Mount* cpu = layout.v1_mount_for("cpu");
  if (!cpu) GTEST_SKIP() << "SKIPPED: no cgroup v1 cpu hierarchy mounted (pure v2 host)";
  const std::string name = unique_name("aurora-proc-v1");
  std::string top_fs_path;
  {
    TempCgroup top(cpu->mount_point, name);
    ASSERT_TRUE(top.created()) << top.path() << ": " << std::strerror(errno);
    TempCgroup nested(top.path(), "nested");
    TempCgroup sibling(cpu->mount_point, name + "-sibling");
    ASSERT_TRUE(nested.created() && sibling.created());
    top_fs_path = top.path();

    TestChild in_top = idle_child(), in_nested = idle_child(), outside = idle_child();
    in_top.wait_ready();
    in_nested.wait_ready();
    outside.wait_ready();
    ASSERT_TRUE(top.add(in_top.pid()));
    ASSERT_TRUE(nested.add(in_nested.pid()));
    ASSERT_TRUE(sibling.add(outside.pid()));

    // Not present in v2, so the lookup falls through to the cpu hierarchy.
    auto scope = resolve_cgroup(HostRoot(), layout, "/" + name);
    ASSERT_TRUE(scope) << scope.error().message;
    EXPECT_EQ(scope->hierarchy, "cpu");
    EXPECT_EQ(scope->fs_path, top.path());
    EXPECT_EQ(scope->v2_id, 0u);
    for (const std::string& form : {"cpu:/" + name, top.path()}) {
      auto same = resolve_cgroup(HostRoot(), layout, form);
      ASSERT_TRUE(same) << form << ": " << same.error().message;
      EXPECT_EQ(same->fs_path, top.path()) << form;
    }

    auto pids = pids_in_scope(HostRoot(), *scope);
    ASSERT_TRUE(pids) << pids.error().message;
    EXPECT_EQ(*pids, (std::vector<int>{std::min(in_top.pid(), in_nested.pid()),
                                       std::max(in_top.pid(), in_nested.pid())}));

    auto nested_cgroup = cgroup_of_pid(HostRoot(), in_nested.pid());
    ASSERT_TRUE(nested_cgroup) << nested_cgroup.error().message;
    EXPECT_EQ(nested_cgroup->v1_paths.at("cpu"), "/" + name + "/nested");
    if (!nested_cgroup->v2_path || *nested_cgroup->v2_path == "/") {
      EXPECT_EQ(nested_cgroup->primary(), "/" + name + "/nested");
    }
  }
  EXPECT_FALSE(fs::exists(top_fs_path));
  EXPECT_FALSE(fs::exists(top_fs_path + "-sibling"));
}

TEST(CgroupLive, ContainerNamedCgroupResolvesByIdPrefix) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: making cgroups needs root";
  const CgroupLayout layout = live_layout();
  if (!layout.has_v2()) GTEST_SKIP() << "SKIPPED: no cgroup v2 hierarchy mounted";
  // A docker-<id>.scope as Docker's systemd driver would make it, with a random id.
  std::mt19937_64 random(std::random_device{}());
  char id[65];
  for (int i = 0; i < 4; ++i)
    std::snprintf(id + 16 * i, 17, "%016llx", static_cast<unsigned long long>(random()));
  TempCgroup slice(layout.v2_mount, unique_name("aurora-proc-slice"));
  TempCgroup scope_dir(slice.path(), std::string("docker-") + id + ".scope");
  ASSERT_TRUE(slice.created() && scope_dir.created());
  TestChild contained = idle_child();
  contained.wait_ready();
  ASSERT_TRUE(scope_dir.add(contained.pid()));

  const auto start = std::chrono::steady_clock::now();
  auto scope = resolve_container(HostRoot(), layout, std::string(id, 12));
  const double walk_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(scope) << scope.error().message;
  EXPECT_EQ(scope->fs_path, scope_dir.path());
  EXPECT_EQ(scope->v2_id, inode_of(scope_dir.path()));
  auto pids = pids_in_scope(HostRoot(), *scope);
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(*pids, std::vector<int>{contained.pid()});
  auto cgroup = cgroup_of_pid(HostRoot(), contained.pid());
  ASSERT_TRUE(cgroup);
  EXPECT_EQ(container_id_from_cgroup(cgroup->primary()), id);
  std::printf("MEASURED resolve_container walk of the live cgroup trees: %.2f ms\n", walk_ms);

  auto unknown = resolve_container(HostRoot(), layout, "0000dead");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace aurora
