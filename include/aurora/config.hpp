// The TOML configuration file (--config FILE). Every key, its meaning and its default are
// documented in docs/configuration.md; an unknown key or a wrong type is bad input (exit 2),
// because a misspelt key silently ignored is a setting the user believes in but never got.
#pragma once

#include <string>

#include "aurora/result.hpp"

namespace aurora {

struct MonitorConfig {
  double interval_seconds = 1.0;  // snapshot interval
};

struct Config {
  MonitorConfig monitor;
};

// Reads and validates `path`. kNotFound when it is absent, kBadInput naming the file, line and
// key for malformed TOML, unknown keys or out-of-range values.
Result<Config> load_config(const std::string& path);
// Same, from text (`origin` names it in messages).
Result<Config> parse_config(const std::string& text, const std::string& origin);

}  // namespace aurora
