// The NUMA and page-migration counters of /proc/vmstat ("name value" per line, mm/vmstat.c).
#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

Result<VmstatNuma> read_vmstat_numa(const HostRoot& root) {
  const std::string file = "/proc/vmstat";
  auto text = root.read_text(file);
  if (!text) return tl::unexpected(text.error());

  VmstatNuma vm;
  const std::pair<std::string_view, std::uint64_t*> wanted[] = {
      {"numa_hit", &vm.numa_hit},
      {"numa_miss", &vm.numa_miss},
      {"numa_foreign", &vm.numa_foreign},
      {"numa_interleave", &vm.numa_interleave},
      {"numa_local", &vm.numa_local},
      {"numa_other", &vm.numa_other},
      {"numa_pte_updates", &vm.numa_pte_updates},
      {"numa_huge_pte_updates", &vm.numa_huge_pte_updates},
      {"numa_hint_faults", &vm.numa_hint_faults},
      {"numa_hint_faults_local", &vm.numa_hint_faults_local},
      {"numa_pages_migrated", &vm.numa_pages_migrated},
      {"pgmigrate_success", &vm.pgmigrate_success},
      {"pgmigrate_fail", &vm.pgmigrate_fail},
  };
  std::string_view rest = *text;
  size_t line_number = 0;
  size_t recognised = 0;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = procfs_detail::trim(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++line_number;
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos)
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}:{}: malformed vmstat line (expected 'name value'): '{}'",
                              root.path(file).string(), line_number, line));
    const std::string_view name = line.substr(0, space);
    for (const auto& [key, target] : wanted) {
      if (name != key) continue;
      const auto value =
          procfs_detail::parse_int<std::uint64_t>(procfs_detail::trim(line.substr(space + 1)));
      if (!value)
        return fail(ErrorKind::kBadInput, fmt::format("{}:{}: {} is not a count: '{}'",
                                                      root.path(file).string(), line_number,
                                                      name, line));
      *target = *value;
      ++recognised;
      if (name == "numa_hint_faults") vm.has_numa_balancing = true;
    }
  }
  if (recognised == 0)
    return fail(ErrorKind::kBadInput,
                fmt::format("{}: no NUMA counters found; is this /proc/vmstat?",
                            root.path(file).string()));
  return vm;
}

}  // namespace aurora
