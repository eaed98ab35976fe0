#include "aurora/host_root.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace aurora {

namespace fs = std::filesystem;

fs::path HostRoot::path(const std::string& absolute) const {
  if (is_live()) return fs::path(absolute);
  std::string relative = absolute;
  while (!relative.empty() && relative.front() == '/') relative.erase(relative.begin());
  return prefix_ / relative;
}

bool HostRoot::exists(const std::string& absolute) const {
  std::error_code ec;
  return fs::exists(path(absolute), ec);
}

Result<std::string> HostRoot::read_text(const std::string& absolute) const {
  const fs::path on_disk = path(absolute);
  std::ifstream in(on_disk, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return fail(ErrorKind::kNotFound, fmt::format("{}: no such file", on_disk.string()));
    return fail(ErrorKind::kRuntime,
                fmt::format("{}: cannot read: {}", on_disk.string(), std::strerror(err)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return fail(ErrorKind::kRuntime, fmt::format("{}: read failed", on_disk.string()));
  std::string text = buffer.str();
  if (recorder_) recorder_->push_back(absolute);
  if (content_recorder_) (*content_recorder_)[absolute] = text;
  return text;
}

Result<std::string> HostRoot::read_line(const std::string& absolute) const {
  auto text = read_text(absolute);
  if (!text) return tl::unexpected(text.error());
  std::string line = text->substr(0, text->find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.pop_back();
  return line;
}

Result<long long> HostRoot::read_integer(const std::string& absolute) const {
  auto line = read_line(absolute);
  if (!line) return tl::unexpected(line.error());
  try {
    size_t used = 0;
    long long value = std::stoll(*line, &used, 0);
    if (used != line->size()) throw std::invalid_argument("trailing text");
    return value;
  } catch (const std::exception&) {
    return fail(ErrorKind::kBadInput, fmt::format("{}: expected an integer, found '{}'",
                                                  path(absolute).string(), *line));
  }
}

Result<std::vector<std::string>> HostRoot::list_dir(const std::string& absolute) const {
  const fs::path on_disk = path(absolute);
  std::error_code ec;
  fs::directory_iterator it(on_disk, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
      return fail(ErrorKind::kNotFound, fmt::format("{}: no such directory", on_disk.string()));
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
      return fail(ErrorKind::kPermission, fmt::format("{}: cannot list: {}; run as root", on_disk.string(), ec.message()));
    return fail(ErrorKind::kRuntime,
                fmt::format("{}: cannot list: {}", on_disk.string(), ec.message()));
  }
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    names.push_back(it->path().filename().string());
  }
  if (recorder_) recorder_->push_back(absolute);
  return names;
}

}  // namespace aurora
