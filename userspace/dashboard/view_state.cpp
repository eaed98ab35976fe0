#include "dashboard/view_state.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "dashboard/columns.hpp"

namespace aurora::dashboard {

namespace {

constexpr double kIntervals[] = {0.5, 1, 2, 3, 5, 10, 30, 60};

template <class Row>
std::vector<std::string> ids_of(const std::vector<Column<Row>>& columns) {
  std::vector<std::string> ids;
  for (const auto& c : columns) ids.push_back(c.id);
  return ids;
}

void move_selection(ViewState& state, int delta) {
  TableCursor& c = state.cursor();
  c.selected_index = std::max(0, c.selected_index + delta);
  c.selected_key.clear();  // the layout resolves the key of the row now under the cursor
}

void switch_view(ViewState& state, View view) {
  state.view = view;
  state.help = false;
}

void open_selected(ViewState& state, const DashboardModel& model) {
  const std::string& key = state.cursor().selected_key;
  if (key.empty()) return;
  switch (state.view) {
    case View::kProcesses: {
      const int pid = std::stoi(key);
      state.threads_pid = pid;
      state.cursors[static_cast<int>(View::kThreads)] = {};
      switch_view(state, View::kThreads);
      if (!model.process(pid)) state.notice = fmt::format("pid {} is gone", pid);
      break;
    }
    case View::kCgroups:
      state.cgroup_scope = key;
      state.cursors[static_cast<int>(View::kProcesses)] = {};
      switch_view(state, View::kProcesses);
      break;
    case View::kNodes:
      state.filter = "node:" + key;
      state.cursors[static_cast<int>(View::kProcesses)] = {};
      switch_view(state, View::kProcesses);
      break;
    default:
      break;
  }
}

// Esc and Backspace step back one level: filter, then drill-down, then view.
void go_back(ViewState& state) {
  if (state.help) {
    state.help = false;
  } else if (!state.filter.empty()) {
    state.filter.clear();
  } else if (state.view == View::kThreads) {
    switch_view(state, View::kProcesses);
  } else if (state.view == View::kProcesses && !state.cgroup_scope.empty()) {
    state.cgroup_scope.clear();
    switch_view(state, View::kCgroups);
  }
}

void cycle_sort(ViewState& state, const DashboardModel& model, int delta) {
  const auto ids = sortable_columns(state.view, model.node_ids());
  if (ids.empty()) return;
  SortOrder& sort = state.current_sort();
  auto it = std::find(ids.begin(), ids.end(), sort.column_id);
  long index = it == ids.end() ? 0 : it - ids.begin();
  index = (index + delta + static_cast<long>(ids.size())) % static_cast<long>(ids.size());
  sort.column_id = ids[static_cast<std::size_t>(index)];
}

void sort_by(ViewState& state, const DashboardModel& model, const std::string& id) {
  const auto ids = sortable_columns(state.view, model.node_ids());
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) return;
  SortOrder& sort = state.current_sort();
  if (sort.column_id == id) {
    sort.descending = !sort.descending;
  } else {
    sort.column_id = id;
    sort.descending = id != "pid" && id != "tid" && id != "comm" && id != "node";
  }
}

KeyEffect edit_filter(ViewState& state, int key) {
  if (key == keys::kEnter) {
    state.editing_filter = false;
  } else if (key == keys::kEscape) {
    state.filter = state.filter_before_edit;
    state.editing_filter = false;
  } else if (key == keys::kBackspace || key == 127 || key == 8) {
    if (!state.filter.empty()) state.filter.pop_back();
  } else if (key >= 0x20 && key < 0x7f && state.filter.size() < 128) {
    state.filter.push_back(static_cast<char>(key));
  } else {
    return KeyEffect::kNone;
  }
  state.cursor() = {};
  return KeyEffect::kRedraw;
}

KeyEffect change_interval(ViewState& state, int direction) {
  const double current = state.interval_seconds;
  double next = current;
  if (direction > 0) {
    for (double v : kIntervals)
      if (v > current + 1e-9) { next = v; break; }
  } else {
    for (double v : kIntervals)
      if (v < current - 1e-9) next = v;
  }
  if (next == current) return KeyEffect::kRedraw;
  state.interval_seconds = next;
  state.notice = fmt::format("interval {:g} s", next);
  return KeyEffect::kIntervalChanged;
}

}  // namespace

const char* view_name(View view) {
  switch (view) {
    case View::kProcesses: return "Processes";
    case View::kThreads: return "Threads";
    case View::kCgroups: return "Cgroups";
    case View::kNodes: return "Nodes";
    case View::kCoordinator: return "Coordinator";
  }
  return "?";
}

Filter parse_filter(const std::string& expression) {
  Filter f;
  auto starts = [&](const char* prefix) { return expression.rfind(prefix, 0) == 0; };
  if (starts("node:")) {
    const std::string number = expression.substr(5);
    if (!number.empty() && std::all_of(number.begin(), number.end(),
                                       [](unsigned char c) { return std::isdigit(c); }))
      f.node = std::stoi(number.substr(0, 6));
    else
      f.text = expression;  // "node:" half typed: match it literally, never throw
  } else if (starts("cg:")) {
    f.cgroup = expression.substr(3);
  } else {
    f.text = expression;
  }
  return f;
}

std::vector<std::string> sortable_columns(View view, const std::vector<int>& node_ids) {
  switch (view) {
    case View::kProcesses: return ids_of(process_columns(node_ids));
    case View::kThreads: return ids_of(thread_columns());
    case View::kCgroups: return ids_of(cgroup_columns(node_ids));
    case View::kNodes: return ids_of(node_columns());
    case View::kCoordinator: return ids_of(coordinator_columns());
  }
  return {};
}

KeyEffect handle_key(ViewState& state, int key, const DashboardModel& model) {
  if (state.editing_filter) return edit_filter(state, key);
  state.notice.clear();
  switch (key) {
    case 'q': case 'Q': return KeyEffect::kQuit;
    case 'h': case '?': case keys::kHelp: state.help = !state.help; return KeyEffect::kRedraw;
    case 'p': case '1': switch_view(state, View::kProcesses); return KeyEffect::kRedraw;
    case 't': case '2':
      if (state.view == View::kProcesses && !state.cursor().selected_key.empty())
        open_selected(state, model);
      else if (state.threads_pid < 0)
        state.notice = "select a process first (Enter or t on its row)";
      else
        switch_view(state, View::kThreads);
      return KeyEffect::kRedraw;
    case 'c': case '3': switch_view(state, View::kCgroups); return KeyEffect::kRedraw;
    case 'n': case '4': switch_view(state, View::kNodes); return KeyEffect::kRedraw;
    case 'o': case '5': switch_view(state, View::kCoordinator); return KeyEffect::kRedraw;
    case 'd': state.show_distances = !state.show_distances; return KeyEffect::kRedraw;
    case ' ':
      state.paused = !state.paused;
      state.notice = state.paused ? "paused (space resumes)" : "resumed";
      return KeyEffect::kRedraw;
    case '+': case '=': return change_interval(state, +1);
    case '-': case '_': return change_interval(state, -1);
    case '/':
      state.editing_filter = true;
      state.filter_before_edit = state.filter;
      return KeyEffect::kRedraw;
    case '<': case ',': cycle_sort(state, model, -1); return KeyEffect::kRedraw;
    case '>': case '.': cycle_sort(state, model, +1); return KeyEffect::kRedraw;
    case 'r': case 'I':
      state.current_sort().descending = !state.current_sort().descending;
      return KeyEffect::kRedraw;
    case 'P': sort_by(state, model, "cpu"); return KeyEffect::kRedraw;
    case 'M': sort_by(state, model, "mem"); return KeyEffect::kRedraw;
    case 'L': sort_by(state, model, "locality"); return KeyEffect::kRedraw;
    case 'R': sort_by(state, model, "remote"); return KeyEffect::kRedraw;
    case 'N': sort_by(state, model, state.view == View::kThreads ? "tid" : "pid");
      return KeyEffect::kRedraw;
    case keys::kUp: case 'k': move_selection(state, -1); return KeyEffect::kRedraw;
    case keys::kDown: case 'j': move_selection(state, +1); return KeyEffect::kRedraw;
    case keys::kPageUp: move_selection(state, -state.page_rows); return KeyEffect::kRedraw;
    case keys::kPageDown: move_selection(state, state.page_rows); return KeyEffect::kRedraw;
    case keys::kHome: case 'g': move_selection(state, -(1 << 30)); return KeyEffect::kRedraw;
    case keys::kEnd: case 'G': move_selection(state, 1 << 30); return KeyEffect::kRedraw;
    case keys::kEnter: case '\r': case keys::kRight:
      open_selected(state, model);
      return KeyEffect::kRedraw;
    case keys::kEscape: case keys::kBackspace: case 127: case keys::kLeft:
      go_back(state);
      return KeyEffect::kRedraw;
    case 'a':
      return state.view == View::kCoordinator ? KeyEffect::kApplySelected : KeyEffect::kNone;
    case 'u':
      return state.view == View::kCoordinator ? KeyEffect::kRevertSelected : KeyEffect::kNone;
    case keys::kResize: return KeyEffect::kRedraw;
    default: return KeyEffect::kNone;
  }
}

}  // namespace aurora::dashboard
