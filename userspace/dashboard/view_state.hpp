// What the user has chosen: the view, sort, filter, selection, pause, interval, help. Keys
// change it (handle_key); the screen layout reads it. No terminal here, so every key's effect
// is unit-testable.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "dashboard/view_model.hpp"

namespace aurora::dashboard {

enum class View { kProcesses = 0, kThreads, kCgroups, kNodes, kCoordinator };
inline constexpr int kViewCount = 5;
const char* view_name(View view);

// Keys the dashboard understands, independent of ncurses' KEY_* codes (the curses screen
// translates). Printable keys are their character code.
namespace keys {
inline constexpr int kUp = 0x1001, kDown = 0x1002, kPageUp = 0x1003, kPageDown = 0x1004,
                     kHome = 0x1005, kEnd = 0x1006, kEnter = '\n', kEscape = 27,
                     kBackspace = 0x1007, kHelp = 0x1008 /* F1 */, kResize = 0x1009,
                     kLeft = 0x100a, kRight = 0x100b;
}  // namespace keys

struct TableCursor {
  std::string selected_key;  // pid, tid, cgroup path, node id or entry id of the selected row
  int selected_index = 0;    // its position, kept when the row vanishes
  int top = 0;               // first row on screen
};

struct SortOrder {
  std::string column_id;
  bool descending = true;
};

// A parsed filter: "node:1" keeps rows whose home node is 1, "cg:TEXT" rows whose cgroup
// contains TEXT, anything else rows whose name, cgroup or id contains it.
struct Filter {
  std::string text;
  int node = -1;
  std::string cgroup;
  bool empty() const { return text.empty() && node < 0 && cgroup.empty(); }
};
Filter parse_filter(const std::string& expression);

// What a key asks of the application, beyond changing ViewState.
enum class KeyEffect { kNone, kRedraw, kQuit, kIntervalChanged, kApplySelected, kRevertSelected };

struct ViewState {
  View view = View::kProcesses;
  bool help = false;
  bool paused = false;
  bool show_distances = false;
  double interval_seconds = 1.0;
  std::array<SortOrder, kViewCount> sort{{{"cpu", true},
                                          {"cpu", true},
                                          {"cpu", true},
                                          {"node", false},
                                          {"time", true}}};
  std::array<TableCursor, kViewCount> cursors{};
  std::string filter;          // the expression as typed
  bool editing_filter = false;
  std::string filter_before_edit;
  std::string cgroup_scope;    // processes view limited to this cgroup (drill-down)
  int threads_pid = -1;        // whose threads the threads view shows
  std::string notice;          // one line of feedback ("pid 42 exited", errors)
  int page_rows = 10;          // rows per page, set by the layout

  SortOrder& current_sort() { return sort[static_cast<int>(view)]; }
  TableCursor& cursor() { return cursors[static_cast<int>(view)]; }
};

// The column ids of a view, in display order (for '<' and '>').
std::vector<std::string> sortable_columns(View view, const std::vector<int>& node_ids);

KeyEffect handle_key(ViewState& state, int key, const DashboardModel& model);

}  // namespace aurora::dashboard
