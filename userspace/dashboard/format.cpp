#include "dashboard/format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace aurora::dashboard {

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) c = '?';
  }
  return out;
}

std::string fit_left(std::string_view text, int width) {
  if (width <= 0) return {};
  std::string out = printable(text);
  const auto w = static_cast<std::size_t>(width);
  if (out.size() > w) {
    out.resize(w);
    out.back() = '~';
  } else {
    out.append(w - out.size(), ' ');
  }
  return out;
}

std::string fit_right(std::string_view text, int width) {
  if (width <= 0) return {};
  std::string out = printable(text);
  const auto w = static_cast<std::size_t>(width);
  if (out.size() > w) {
    out.resize(w);
    out.back() = '~';
    return out;
  }
  return std::string(w - out.size(), ' ') + out;
}

std::string fit_path(std::string_view text, int width) {
  if (width <= 0) return {};
  std::string out = printable(text);
  const auto w = static_cast<std::size_t>(width);
  if (out.size() > w) {
    out = out.substr(out.size() - w);
    out.front() = '~';
  } else {
    out.append(w - out.size(), ' ');
  }
  return out;
}

std::string format_rate(std::optional<double> per_second) {
  if (!per_second || !std::isfinite(*per_second) || *per_second < 0) return "-";
  const double v = *per_second;
  if (v < 0.05) return "0";
  if (v < 10) return fmt::format("{:.1f}", v);
  if (v < 999.5) return fmt::format("{:.0f}", v);
  static constexpr const char* kUnits[] = {"k", "M", "G", "T"};
  double scaled = v;
  for (const char* unit : kUnits) {
    scaled /= 1000.0;
    if (scaled < 9.95) return fmt::format("{:.1f}{}", scaled, unit);
    if (scaled < 999.5) return fmt::format("{:.0f}{}", scaled, unit);
  }
  return "huge";
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  static constexpr const char* kUnits[] = {"K", "M", "G", "T", "P"};
  double scaled = static_cast<double>(bytes);
  if (scaled < 1024) return fmt::format("{}B", bytes);
  for (const char* unit : kUnits) {
    scaled /= 1024.0;
    if (scaled < 9.95) return fmt::format("{:.1f}{}", scaled, unit);
    if (scaled < 1023.5) return fmt::format("{:.0f}{}", scaled, unit);
  }
  return "huge";
}

std::string format_percent(std::optional<double> fraction) {
  if (!fraction || !std::isfinite(*fraction)) return "-";
  return fmt::format("{:.0f}%", std::clamp(*fraction, 0.0, 1.0) * 100.0);
}

std::string format_cpu_percent(double percent) {
  if (!std::isfinite(percent) || percent < 0) return "-";
  if (percent < 999.95) return fmt::format("{:.1f}", percent);
  return fmt::format("{:.0f}", percent);
}

std::string format_node_shares(const std::vector<std::uint64_t>& per_node) {
  std::uint64_t total = 0;
  for (std::uint64_t v : per_node) total += v;
  std::string out;
  out.reserve(per_node.size());
  for (std::uint64_t v : per_node) {
    if (v == 0 || total == 0) {
      out.push_back('.');
      continue;
    }
    const int tenth = std::min(9, static_cast<int>(static_cast<double>(v) * 10.0 /
                                                   static_cast<double>(total)));
    out.push_back(static_cast<char>('0' + tenth));
  }
  return out;
}

std::string format_bar(double fraction, int width, char fill) {
  if (width <= 0) return {};
  if (!std::isfinite(fraction)) fraction = 0;
  const int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * width));
  std::string out(static_cast<std::size_t>(filled), fill);
  out.append(static_cast<std::size_t>(width - filled), ' ');
  return out;
}

}  // namespace aurora::dashboard
