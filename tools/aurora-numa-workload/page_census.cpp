#include "page_census.hpp"

#include <numaif.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "node_buffer.hpp"

namespace aurora::workload {

Result<PageCensus> take_page_census(const char* data, std::size_t bytes) {
  constexpr std::size_t kBatch = 4096;  // pages per syscall: bounded memory, few syscalls
  PageCensus census;
  census.pages = bytes / NodeBuffer::kPageSize;
  std::vector<void*> addresses;
  std::vector<int> status;
  for (std::size_t first = 0; first < census.pages; first += kBatch) {
    const std::size_t count = std::min(kBatch, census.pages - first);
    addresses.resize(count);
    status.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i)
      addresses[i] = const_cast<char*>(data) + (first + i) * NodeBuffer::kPageSize;
    if (move_pages(0, count, addresses.data(), nullptr, status.data(), 0) != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("move_pages query of {} pages failed: {}", count,
                              std::strerror(errno)));
    for (int s : status) {
      if (s >= 0)
        ++census.on_node[s];
      else if (s == -ENOENT)
        ++census.enoent;
      else
        ++census.other_errors;
    }
  }
  return census;
}

}  // namespace aurora::workload
