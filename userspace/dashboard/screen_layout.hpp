// Lays one screen out: title, per-node header bars, the chosen view's table (or help), the
// message line and the key footer. Pure: model + state + size in, Frame out. The interactive
// screen and the plain-text batch mode both print what this returns.
#pragma once

#include <string>

#include "aurora/coordinator_feed.hpp"
#include "dashboard/frame.hpp"
#include "dashboard/view_model.hpp"
#include "dashboard/view_state.hpp"

namespace aurora::dashboard {

struct LayoutOptions {
  int width = 80;
  int height = 24;             // 0: no limit (batch mode prints every row, no footer)
  bool interactive = true;     // selection bar, message line and key footer
  std::string source_label;    // "replay run.jsonl", "live"
  std::string status;          // "end of recording", errors from the source
  const CoordinatorFeed* coordinator = nullptr;
};

// Also updates `state`: the selection follows its row (or, when the row is gone, stays at its
// position and says so in state.notice), scrolling keeps it on screen, page_rows is set.
Frame layout_screen(const DashboardModel& model, ViewState& state, const LayoutOptions& options);

// The help screen's lines (keys and what the colours mean).
std::vector<std::string> help_lines();

}  // namespace aurora::dashboard
