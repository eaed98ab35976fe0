// Which locality is poor enough to colour (docs/dashboard.md, "Colours").
#pragma once

#include <cmath>
#include <optional>

#include "dashboard/frame.hpp"

namespace aurora::dashboard {

inline constexpr double kGoodLocality = 0.80;
inline constexpr double kPoorLocality = 0.50;

// Judged on the whole percent shown, so "80%" is never marked as below 80%.
inline Style locality_style(std::optional<double> locality) {
  if (!locality || !std::isfinite(*locality)) return Style::kDim;
  const double shown = std::round(*locality * 100.0);
  if (shown >= kGoodLocality * 100.0) return Style::kGood;
  if (shown >= kPoorLocality * 100.0) return Style::kWarn;
  return Style::kBad;
}

// Without colour the mark is a character after the figure: '!' poor, '?' middling.
inline char locality_mark(std::optional<double> locality) {
  switch (locality_style(locality)) {
    case Style::kBad: return '!';
    case Style::kWarn: return '?';
    default: return ' ';
  }
}

}  // namespace aurora::dashboard
