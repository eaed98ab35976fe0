#include "aurora/host_capture.hpp"

#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace aurora {

namespace fs = std::filesystem;

HostCapture::HostCapture(HostRoot& root) : root_(root) {
  root_.set_recorder(&paths_);
  root_.set_content_recorder(&contents_);
}

HostCapture::~HostCapture() {
  root_.set_recorder(nullptr);
  root_.set_content_recorder(nullptr);
}

namespace {

fs::path inside(const fs::path& dir, const std::string& absolute) {
  return dir / fs::path(absolute).relative_path();
}

}  // namespace

Result<std::size_t> HostCapture::write_to(const fs::path& dir) const {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return fail(ErrorKind::kBadInput,
                  fmt::format("capture directory {} exists and is not a directory; name a new "
                              "directory",
                              dir.string()));
    if (!fs::is_empty(dir, ec))
      return fail(ErrorKind::kBadInput,
                  fmt::format("capture directory {} is not empty; name a new or empty directory",
                              dir.string()));
  }
  fs::create_directories(dir, ec);
  if (ec)
    return fail(ErrorKind::kRuntime,
                fmt::format("cannot create capture directory {}: {}", dir.string(), ec.message()));

  // Directories first: a listed directory may hold nothing the program read (no hugepage
  // sizes, no PCI devices), and its absence would read differently on replay.
  for (const std::string& path : paths_) {
    if (contents_.count(path)) continue;
    const fs::path target = inside(dir, path);
    fs::create_directories(target, ec);
    if (ec)
      return fail(ErrorKind::kRuntime,
                  fmt::format("cannot create {}: {}", target.string(), ec.message()));
  }
  for (const auto& [path, text] : contents_) {
    const fs::path target = inside(dir, path);
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return fail(ErrorKind::kRuntime,
                  fmt::format("cannot create {}: {}", target.parent_path().string(), ec.message()));
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
      return fail(ErrorKind::kRuntime, fmt::format("cannot write {}", target.string()));
  }
  return contents_.size();
}

}  // namespace aurora
