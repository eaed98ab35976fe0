#include "aurora/config.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace aurora {

namespace {

Result<void> reject_unknown_keys(const toml::table& table, const std::string& where,
                                 std::initializer_list<std::string_view> known,
                                 const std::string& origin) {
  for (const auto& [key, value] : table) {
    bool found = false;
    for (std::string_view k : known) found = found || key.str() == k;
    if (!found)
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}:{}: unknown key '{}{}' (see docs/configuration.md)", origin,
                              value.source().begin.line, where, key.str()));
  }
  return {};
}

}  // namespace

Result<Config> parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return fail(ErrorKind::kBadInput, fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                                  e.source().begin.column, e.description()));
  }
  Config config;
  if (auto ok = reject_unknown_keys(root, "", {"monitor"}, origin); !ok)
    return tl::unexpected(ok.error());
  if (const toml::node* monitor_node = root.get("monitor")) {
    const toml::table* monitor = monitor_node->as_table();
    if (!monitor)
      return fail(ErrorKind::kBadInput, fmt::format("{}: [monitor] must be a table", origin));
    if (auto ok = reject_unknown_keys(*monitor, "monitor.", {"interval_seconds"}, origin); !ok)
      return tl::unexpected(ok.error());
    if (const toml::node* interval = monitor->get("interval_seconds")) {
      const auto value = interval->value<double>();
      if (!value || *value < 0.1 || *value > 3600)
        return fail(ErrorKind::kBadInput,
                    fmt::format("{}:{}: monitor.interval_seconds must be a number of seconds "
                                "between 0.1 and 3600",
                                origin, interval->source().begin.line));
      config.monitor.interval_seconds = *value;
    }
  }
  return config;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, fmt::format("config file {}: cannot open", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace aurora
