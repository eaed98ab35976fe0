// /proc/PID/numa_maps: resident pages of each mapping by node (Documentation/filesystems/proc.rst,
// fs/proc/task_mmu.c show_numa_map). One line per mapping:
//   7f3c0e200000 default anon=16384 dirty=16384 active=0 N0=16384 kernelpagesize_kB=4
//   7f3a00000000 bind:1 file=/dev/hugepages/x huge dirty=2 N1=2 kernelpagesize_kB=2048
// N<node>=<pages> counts pages of the mapping's page size, so bytes = pages * kernelpagesize_kB.
// File names are escaped by the kernel (space, tab, newline and '=' become \ooo), so every
// whitespace-separated token is one key or key=value.
#include <unistd.h>

#include <cctype>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using procfs_detail::parse_int;

namespace {

std::uint64_t base_page_kb() {
  const long size = ::sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<std::uint64_t>(size) / 1024 : 4;
}

// A node token is 'N', decimal digits, '=', decimal digits.
bool is_node_token(std::string_view token) {
  if (token.size() < 4 || token[0] != 'N') return false;
  const size_t equals = token.find('=');
  if (equals == std::string_view::npos || equals < 2) return false;
  for (size_t i = 1; i < equals; ++i)
    if (token[i] < '0' || token[i] > '9') return false;
  return true;
}

// Calls visit(start_address, file, pages_on_node, page_kb) for every mapping; `file` is the
// kernel-escaped value of the file= token, empty when the line has none.
template <class Visit>
Result<void> parse_numa_maps(std::string_view text, const std::string& file, Visit&& visit) {
  procfs_detail::LineCursor lines(text);
  for (std::string_view line; lines.next(line);) {
    const size_t line_number = lines.number();
    line = procfs_detail::trim(line);
    if (line.empty()) continue;

    const auto bad = [&](std::string_view what) {
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}:{}: malformed numa_maps line ({}): '{}'", file, line_number,
                              what, line));
    };
    std::uint64_t page_kb = 0;
    std::uint64_t start_address = 0;
    std::string_view mapped_file;
    NodeCounters pages_on_node;
    size_t token_index = 0;
    std::string_view rest = line;
    while (!rest.empty()) {
      const size_t start = rest.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const size_t stop = rest.find(' ');
      const std::string_view token = rest.substr(0, stop);
      rest.remove_prefix(stop == std::string_view::npos ? rest.size() : stop);
      if (token_index++ == 0) {  // the start address, in hex
        for (char c : token)
          if (!std::isxdigit(static_cast<unsigned char>(c))) return bad("address is not hex");
        const auto address = parse_int<std::uint64_t>(token, 16);
        if (!address) return bad("address does not fit 64 bits");
        start_address = *address;
        continue;
      }
      if (token.starts_with("kernelpagesize_kB=")) {
        const auto kb = parse_int<std::uint64_t>(token.substr(18));
        if (!kb || *kb == 0) return bad("kernelpagesize_kB is not a positive number");
        page_kb = *kb;
      } else if (token.starts_with("file=")) {
        mapped_file = token.substr(5);
      } else if (is_node_token(token)) {
        const size_t equals = token.find('=');
        const auto node = parse_int<int>(token.substr(1, equals - 1));
        const auto pages = parse_int<std::uint64_t>(token.substr(equals + 1));
        if (!node || !pages) return bad("N<node>=<pages> is not numeric");
        pages_on_node[*node] += *pages;
      }
    }
    if (token_index < 2) return bad("expected an address and a policy");
    // Kernels before 3.x printed no kernelpagesize_kB; their pages were base pages.
    if (page_kb == 0) page_kb = base_page_kb();
    visit(start_address, mapped_file, pages_on_node, page_kb);
  }
  return {};
}

}  // namespace

Result<NumaMapsTotals> read_numa_maps_totals(const HostRoot& root, int pid) {
  const std::string file = fmt::format("/proc/{}/numa_maps", pid);
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  NumaMapsTotals totals;
  auto parsed = parse_numa_maps(
      *text, root.path(file).string(),
      [&](std::uint64_t, std::string_view mapped_file, const NodeCounters& pages, std::uint64_t page_kb) {
        const bool file_mapping = is_file_mapping_path(std::string(mapped_file));
        for (const auto& [node, count] : pages) {
          if (count == 0) continue;
          totals.bytes_by_node[node] += count * page_kb * 1024;
          if (file_mapping) totals.file_bytes_by_node[node] += count * page_kb * 1024;
        }
      });
  if (!parsed) return tl::unexpected(parsed.error());
  return totals;
}

Result<NodeCounters> read_numa_maps(const HostRoot& root, int pid) {
  auto totals = read_numa_maps_totals(root, pid);
  if (!totals) return tl::unexpected(totals.error());
  return std::move(totals->bytes_by_node);
}

Result<std::vector<NumaMapsEntry>> read_numa_maps_entries(const HostRoot& root, int pid) {
  const std::string file = fmt::format("/proc/{}/numa_maps", pid);
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  std::vector<NumaMapsEntry> entries;
  auto parsed = parse_numa_maps(*text, root.path(file).string(),
                                [&](std::uint64_t start, std::string_view mapped_file, const NodeCounters& pages,
                                    std::uint64_t page_kb) {
                                  NumaMapsEntry& entry = entries.emplace_back();
                                  entry.start_address = start;
                                  entry.file = std::string(mapped_file);
                                  for (const auto& [node, count] : pages)
                                    if (count > 0) entry.bytes_by_node[node] = count * page_kb * 1024;
                                });
  if (!parsed) return tl::unexpected(parsed.error());
  return entries;
}

}  // namespace aurora
