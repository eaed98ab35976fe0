// Which locality is poor enough to colour (docs/dashboard.md, "Colours").
#pragma once

#include <optional>

#include "dashboard/frame.hpp"

namespace aurora::dashboard {

inline constexpr double kGoodLocality = 0.80;
inline constexpr double kPoorLocality = 0.50;

inline Style locality_style(std::optional<double> locality) {
  if (!locality) return Style::kDim;
  if (*locality >= kGoodLocality) return Style::kGood;
  if (*locality >= kPoorLocality) return Style::kWarn;
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
