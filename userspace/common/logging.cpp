#include "aurora/logging.hpp"

#include <cstdarg>
#include <cstdio>

#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace aurora {

namespace {

// libbpf explains its failures (verifier logs, missing BTF) at warn level; they are detail for
// --log-level debug, since every caller reports the failure in its own words.
int libbpf_to_spdlog(enum libbpf_print_level level, const char* format, va_list args) {
  if (!spdlog::should_log(spdlog::level::debug)) return 0;
  char buffer[1024];
  const int written = std::vsnprintf(buffer, sizeof(buffer), format, args);
  std::string_view text(buffer, written < 0 ? 0 : std::min<size_t>(written, sizeof(buffer) - 1));
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  spdlog::debug("libbpf{}: {}", level == LIBBPF_DEBUG ? " (debug)" : "", text);
  return written;
}

}  // namespace

Result<void> init_logging(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off")
    return fail(ErrorKind::kBadInput,
                fmt::format("--log-level '{}' is not one of trace, debug, info, warn, error, "
                            "critical, off", level));
  auto logger = spdlog::stderr_color_mt("aurora");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  libbpf_set_print(libbpf_to_spdlog);
  return {};
}

}  // namespace aurora
