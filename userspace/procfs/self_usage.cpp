// The monitor's own CPU time and resident memory, for the snapshot's self-cost section.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "aurora/procfs.hpp"

namespace aurora {

namespace {

std::uint64_t timeval_ns(const timeval& tv) {
  return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(tv.tv_usec) * 1'000ull;
}

}  // namespace

Result<SelfUsage> read_self_usage() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0)
    return fail(ErrorKind::kRuntime, fmt::format("getrusage(RUSAGE_SELF): {}", std::strerror(errno)));
  SelfUsage self;
  self.cpu_ns = timeval_ns(usage.ru_utime) + timeval_ns(usage.ru_stime);

  // statm: size resident shared text lib data dt, in pages. ru_maxrss is the peak, not now.
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages))
    return fail(ErrorKind::kRuntime, "/proc/self/statm: cannot read the resident set size; "
                                     "is /proc mounted?");
  self.rss_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return self;
}

}  // namespace aurora
