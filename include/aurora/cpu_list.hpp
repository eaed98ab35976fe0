// The kernel's CPU/node list format ("0-3,8,10-11"), parsed and printed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aurora/result.hpp"

namespace aurora {

// Parses a kernel list ("0-3,8"); an empty or whitespace-only string is the empty list.
// Returns sorted, de-duplicated ids, or kBadInput naming the offending text.
Result<std::vector<int>> parse_cpu_list(std::string_view text);

// The inverse: {0,1,2,3,8} -> "0-3,8".
std::string format_cpu_list(const std::vector<int>& ids);

}  // namespace aurora
