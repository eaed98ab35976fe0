// HostCapture: records what a HostRoot reads and writes it out as a tree that `--root` replays.
//
//   HostRoot root;                 // the live system
//   HostCapture capture(root);     // from here on, every read is recorded
//   auto topology = read_topology(root);
//   capture.write_to("/tmp/bug-1234");   // then: aurora-numa-monitor --root /tmp/bug-1234 ...
//
// Files are written with the exact text the program read (not re-read later), and directories
// it listed are created even when empty, so a replay sees the same tree the program saw.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora {

class HostCapture {
 public:
  // Attaches to `root` until destroyed; `root` must outlive the capture.
  explicit HostCapture(HostRoot& root);
  ~HostCapture();
  HostCapture(const HostCapture&) = delete;
  HostCapture& operator=(const HostCapture&) = delete;

  // Writes every recorded file and directory under `dir`, which must not exist or be empty
  // (a capture mixed into another tree would replay something no machine had). Returns the
  // number of files written. kBadInput when `dir` is not empty, kRuntime when writing fails;
  // both name the path.
  Result<std::size_t> write_to(const std::filesystem::path& dir) const;

  std::size_t file_count() const { return contents_.size(); }

 private:
  HostRoot& root_;
  std::vector<std::string> paths_;
  std::map<std::string, std::string> contents_;
};

}  // namespace aurora
