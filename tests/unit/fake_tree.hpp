// FakeTree: a temporary directory standing in for "/", for --root tests.
//
//   FakeTree tree;
//   tree.write("/sys/devices/system/node/online", "0-1\n");
//   HostRoot root(tree.path());
// The directory is removed when the FakeTree goes out of scope.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

class FakeTree {
 public:
  FakeTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aurora-fake-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;
  ~FakeTree() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` at `absolute` (e.g. "/proc/42/stat") inside the tree, creating parents.
  void write(const std::string& absolute, const std::string& content) const {
    const std::filesystem::path file = resolve(absolute);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  }
  void mkdir(const std::string& absolute) const {
    std::filesystem::create_directories(resolve(absolute));
  }
  // A symlink at `absolute` whose text is `target`, as the kernel makes them: relative inside
  // sysfs ("../../devices/..."), absolute for /proc/PID/fd ("/dev/nvme0n1", "socket:[123]").
  void symlink(const std::string& absolute, const std::string& target) const {
    const std::filesystem::path link = resolve(absolute);
    std::filesystem::create_directories(link.parent_path());
    std::filesystem::create_symlink(target, link);
  }
  void remove(const std::string& absolute) const { std::filesystem::remove_all(resolve(absolute)); }
  std::filesystem::path resolve(const std::string& absolute) const {
    return path_ / std::filesystem::path(absolute).relative_path();
  }

 private:
  std::filesystem::path path_;
};
