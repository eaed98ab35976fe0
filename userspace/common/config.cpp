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
                  fmt::format("{}:{}: unknown key '{}{}' (see docs/coordinator.md, Configuration)", origin,
                              value.source().begin.line, where, key.str()));
  }
  return {};
}

Result<void> bad(const std::string& origin, const toml::node& node, const std::string& what) {
  return fail(ErrorKind::kBadInput, fmt::format("{}:{}: {}", origin, node.source().begin.line, what));
}

Result<void> read_number(const toml::table& table, const char* key, double low, double high, double& out,
                         const std::string& origin) {
  const toml::node* node = table.get(key);
  if (!node) return {};
  const auto value = node->value<double>();
  if (!value || *value < low || *value > high)
    return bad(origin, *node, fmt::format("coordinator.{} must be a number between {} and {}", key, low, high));
  out = *value;
  return {};
}

Result<void> read_int(const toml::table& table, const char* key, int low, int high, int& out,
                      const std::string& origin) {
  const toml::node* node = table.get(key);
  if (!node) return {};
  const auto value = node->value<std::int64_t>();
  if (!node->is_integer() || !value || *value < low || *value > high)
    return bad(origin, *node, fmt::format("coordinator.{} must be an integer between {} and {}", key, low, high));
  out = static_cast<int>(*value);
  return {};
}

Result<void> read_bool(const toml::table& table, const char* key, bool& out, const std::string& origin) {
  const toml::node* node = table.get(key);
  if (!node) return {};
  if (!node->is_boolean()) return bad(origin, *node, fmt::format("coordinator.{} must be true or false", key));
  out = node->value<bool>().value_or(out);
  return {};
}

Result<void> parse_coordinator(const toml::table& table, CoordinatorConfig& c, const std::string& origin) {
  if (auto ok = reject_unknown_keys(
          table, "coordinator.",
          {"interval_seconds", "enable_thread_affinity", "enable_memory_migration", "min_cpu_cores", "min_rss_mib",
           "min_gain", "min_net_gain_seconds", "horizon_seconds", "remote_penalty", "hold_seconds",
           "min_observed_seconds",
           "pingpong_window_seconds", "pingpong_reversals", "max_moves_per_cycle", "max_node_cpu_utilisation",
           "node_memory_reserve_mib", "migration_budget_mib_per_second", "migration_parallel_calls", "io_sleeps_per_cpu_second", "io_max_cpu_cores", "scope_pids", "scope_cgroups",
           "journal_path"},
          origin);
      !ok)
    return ok;
  for (auto ok : {read_number(table, "interval_seconds", 0.1, 3600, c.interval_seconds, origin),
                  read_bool(table, "enable_thread_affinity", c.enable_thread_affinity, origin),
                  read_bool(table, "enable_memory_migration", c.enable_memory_migration, origin),
                  read_number(table, "min_cpu_cores", 0, 4096, c.min_cpu_cores, origin),
                  read_number(table, "min_rss_mib", 0, 1 << 24, c.min_rss_mib, origin),
                  read_number(table, "min_gain", 0, 1, c.min_gain, origin),
                  read_number(table, "min_net_gain_seconds", 0, 1e6, c.min_net_gain_seconds, origin),
                  read_number(table, "horizon_seconds", 1, 86400, c.horizon_seconds, origin),
                  read_number(table, "remote_penalty", 0, 10, c.remote_penalty, origin),
                  read_number(table, "hold_seconds", 0, 86400, c.hold_seconds, origin),
                  read_number(table, "min_observed_seconds", 0, 86400, c.min_observed_seconds, origin),
                  read_number(table, "pingpong_window_seconds", 0, 86400 * 7, c.pingpong_window_seconds, origin),
                  read_int(table, "pingpong_reversals", 1, 100, c.pingpong_reversals, origin),
                  read_int(table, "max_moves_per_cycle", 0, 10000, c.max_moves_per_cycle, origin),
                  read_number(table, "max_node_cpu_utilisation", 0.1, 2, c.max_node_cpu_utilisation, origin),
                  read_number(table, "node_memory_reserve_mib", 0, 1 << 24, c.node_memory_reserve_mib, origin),
                  read_number(table, "migration_budget_mib_per_second", 1, 1 << 20, c.migration_budget_mib_per_second,
                              origin),
                  read_int(table, "migration_parallel_calls", 1, 64, c.migration_parallel_calls, origin),
                  read_number(table, "io_sleeps_per_cpu_second", 1, 1e7, c.io_sleeps_per_cpu_second, origin),
                  read_number(table, "io_max_cpu_cores", 0.01, 4096, c.io_max_cpu_cores, origin)})
    if (!ok) return ok;
  if (const toml::node* node = table.get("scope_pids")) {
    const toml::array* list = node->as_array();
    if (!list) return bad(origin, *node, "coordinator.scope_pids must be an array of pids, e.g. [1234, 5678]");
    for (const auto& item : *list) {
      const auto pid = item.value<std::int64_t>();
      if (!item.is_integer() || !pid || *pid <= 0 || *pid > (1 << 22))
        return bad(origin, *node, "coordinator.scope_pids must hold positive integer pids");
      c.scope_pids.push_back(static_cast<int>(*pid));
    }
  }
  if (const toml::node* node = table.get("scope_cgroups")) {
    const toml::array* list = node->as_array();
    if (!list) return bad(origin, *node, "coordinator.scope_cgroups must be an array of cgroup path prefixes");
    for (const auto& item : *list) {
      const auto path = item.value<std::string>();
      if (!item.is_string() || !path || path->empty() || path->front() != '/')
        return bad(origin, *node, "coordinator.scope_cgroups entries must be cgroup paths starting with '/'");
      c.scope_cgroups.push_back(*path);
    }
  }
  if (const toml::node* node = table.get("journal_path")) {
    const auto path = node->value<std::string>();
    if (!node->is_string() || !path || path->empty())
      return bad(origin, *node, "coordinator.journal_path must be a non-empty file path");
    c.journal_path = *path;
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
  if (auto ok = reject_unknown_keys(root, "", {"monitor", "coordinator"}, origin); !ok)
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
  if (const toml::node* coordinator_node = root.get("coordinator")) {
    const toml::table* coordinator = coordinator_node->as_table();
    if (!coordinator)
      return fail(ErrorKind::kBadInput, fmt::format("{}: [coordinator] must be a table", origin));
    if (auto ok = parse_coordinator(*coordinator, config.coordinator, origin); !ok)
      return tl::unexpected(ok.error());
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
