// Logging setup: spdlog to stderr, and libbpf's own messages routed through it.
#pragma once

#include <string>

#include "aurora/result.hpp"

namespace aurora {

// level: trace, debug, info, warn, error, critical, off. kBadInput for anything else.
Result<void> init_logging(const std::string& level);

}  // namespace aurora
