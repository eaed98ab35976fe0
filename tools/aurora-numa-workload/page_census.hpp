// Where a buffer's pages are right now, asked page by page with move_pages(2) in query mode.
#pragma once

#include <cstddef>
#include <map>

#include "aurora/result.hpp"

namespace aurora::workload {

struct PageCensus {
  std::size_t pages = 0;               // pages asked about
  std::map<int, std::size_t> on_node;  // node -> pages there
  // -ENOENT: no page table entry the query can follow. Right after the NUMA scanner made a page
  // PROT_NONE (to take a hinting fault on it) its node cannot be read this way.
  std::size_t enoent = 0;
  std::size_t other_errors = 0;  // any other negative status (-EFAULT, -EACCES, ...)
};

// Queries every 4 KiB page of [data, data + bytes).
Result<PageCensus> take_page_census(const char* data, std::size_t bytes);

}  // namespace aurora::workload
