// Typed reads of single-value sysfs files. Every error names the on-disk file, because "bad
// input" without the file is useless in a bug report about a captured tree.
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "aurora/cpu_list.hpp"
#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

Error with_context(const Error& error, const std::string& context) {
  return Error{error.kind, fmt::format("{}: {}", context, error.message)};
}

Result<std::vector<int>> read_id_list(const HostRoot& root, const std::string& absolute) {
  auto text = root.read_text(absolute);
  if (!text) return tl::unexpected(text.error());
  auto ids = parse_cpu_list(*text);
  if (!ids)
    return fail(ErrorKind::kBadInput,
                fmt::format("{}: {}", root.path(absolute).string(), ids.error().message));
  return ids;
}

Result<long long> read_decimal(const HostRoot& root, const std::string& absolute) {
  auto line = root.read_line(absolute);
  if (!line) return tl::unexpected(line.error());
  long long value = 0;
  const char* first = line->data();
  const char* last = first + line->size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (line->empty() || ec != std::errc() || ptr != last)
    return fail(ErrorKind::kBadInput, fmt::format("{}: expected a decimal integer, found '{}'",
                                                  root.path(absolute).string(), *line));
  return value;
}

Result<std::uint64_t> read_size(const HostRoot& root, const std::string& absolute) {
  auto line = root.read_line(absolute);
  if (!line) return tl::unexpected(line.error());
  std::uint64_t value = 0;
  const char* first = line->data();
  const char* last = first + line->size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  std::uint64_t scale = 1;
  if (ptr != last && ec == std::errc() && ptr + 1 == last) {
    switch (*ptr) {
      case 'K': scale = 1ULL << 10; ++ptr; break;
      case 'M': scale = 1ULL << 20; ++ptr; break;
      case 'G': scale = 1ULL << 30; ++ptr; break;
      default: break;
    }
  }
  if (line->empty() || ec != std::errc() || ptr != last ||
      value > std::numeric_limits<std::uint64_t>::max() / scale)
    return fail(ErrorKind::kBadInput, fmt::format("{}: expected a size like 32768K, found '{}'",
                                                  root.path(absolute).string(), *line));
  return value * scale;
}

}  // namespace aurora::topology_detail
