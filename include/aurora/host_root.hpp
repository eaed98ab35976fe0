// HostRoot: where the system's files are read from.
//
// Every reader of /sys and /proc goes through a HostRoot so that tests, offline analysis and
// bug-report replays can point the whole program at a captured or hand-built tree
// (`--root DIR` reads DIR/sys/... and DIR/proc/...). The default root is "/".
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "aurora/result.hpp"

namespace aurora {

class HostRoot {
 public:
  HostRoot() = default;
  explicit HostRoot(std::filesystem::path prefix) : prefix_(std::move(prefix)) {}

  // The on-disk path of an absolute system path, e.g. path("/sys/devices/system/node").
  std::filesystem::path path(const std::string& absolute) const;

  const std::filesystem::path& prefix() const { return prefix_; }
  bool is_live() const { return prefix_.empty() || prefix_ == "/"; }

  // Whole file as text. kNotFound when absent, kRuntime when unreadable; the message names the
  // on-disk path.
  Result<std::string> read_text(const std::string& absolute) const;
  // First line, trailing whitespace removed.
  Result<std::string> read_line(const std::string& absolute) const;
  Result<long long> read_integer(const std::string& absolute) const;
  bool exists(const std::string& absolute) const;
  // Names of entries in a directory (not sorted). kNotFound when the directory is absent.
  Result<std::vector<std::string>> list_dir(const std::string& absolute) const;

  // When set, every successful read_text/list_dir records the absolute path it read so that a
  // capture (`topology --capture DIR`) can copy exactly the files the program used.
  void set_recorder(std::vector<std::string>* recorder) { recorder_ = recorder; }
  // When set, every successful read_text also keeps the exact text it returned (absolute path
  // -> content), so a capture holds the bytes the program saw, not a later re-read of files
  // that change (meminfo, free hugepages).
  void set_content_recorder(std::map<std::string, std::string>* contents) {
    content_recorder_ = contents;
  }

 private:
  std::filesystem::path prefix_;
  std::vector<std::string>* recorder_ = nullptr;
  std::map<std::string, std::string>* content_recorder_ = nullptr;
};

}  // namespace aurora
