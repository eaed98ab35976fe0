#include "dashboard/screen_layout.hpp"

#include <algorithm>
#include <climits>
#include <ctime>

#include <fmt/format.h>

#include "dashboard/columns.hpp"
#include "dashboard/format.hpp"
#include "dashboard/locality_style.hpp"
#include "dashboard/table.hpp"

namespace aurora::dashboard {

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string clock_of(std::uint64_t timestamp_ns) {
  if (timestamp_ns == 0) return "--:--:--";
  const std::time_t seconds = static_cast<std::time_t>(timestamp_ns / 1000000000ull);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof(buffer), "%H:%M:%S", &tm);
  return buffer;
}

Line title_line(const DashboardModel& model, const ViewState& state, const LayoutOptions& o) {
  std::string text = fmt::format("aurora top - {} - {}", o.source_label,
                                 clock_of(model.snapshot().timestamp_ns));
  text += fmt::format(" - refresh {:g}s", state.interval_seconds);
  if (auto w = model.window_seconds()) text += fmt::format(" window {:.2f}s", *w);
  if (state.paused) text += " - PAUSED";
  if (!o.status.empty()) text += " - " + o.status;
  return Line{fit_left(text, o.width), Style::kTitle, {}};
}

// "N0  CPU[|||||     ]  45% MEM[#####     ] 40.0G/64.0G  flt L 1.2k R 300  mv 3 pg 120 /s"
Line node_line(const NodeRow& node, int width) {
  const std::string label = fmt::format("N{:<3}", node.id);
  const std::string busy = node.cpu_busy_fraction
                               ? fmt::format("{:>4}", format_percent(node.cpu_busy_fraction))
                               : "   -";
  const std::uint64_t used = node.memory_total_bytes >= node.memory_free_bytes
                                 ? node.memory_total_bytes - node.memory_free_bytes
                                 : 0;
  const std::string memory =
      fmt::format("{}/{}", format_bytes(used), format_bytes(node.memory_total_bytes));
  const std::string faults =
      fmt::format(" flt L{} R{} mv{} pg{}/s", format_rate(node.local_faults_per_s),
                  format_rate(node.remote_faults_per_s), format_rate(node.moves_per_s),
                  format_rate(node.pages_migrated_per_s));
  const int fixed = static_cast<int>(label.size() + 4 + 1 + 1 + busy.size() + 5 + 1 + 1 +
                                     memory.size() + faults.size());
  const int bar = std::clamp((width - fixed) / 2, 3, 30);
  const double used_fraction =
      node.memory_total_bytes ? static_cast<double>(used) / static_cast<double>(node.memory_total_bytes)
                              : 0;
  Line line;
  line.text = label + "CPU[";
  const int cpu_bar_at = static_cast<int>(line.text.size());
  line.text += format_bar(node.cpu_busy_fraction.value_or(0), bar, '|') + "] " + busy + " MEM[";
  const int mem_bar_at = static_cast<int>(line.text.size());
  line.text += format_bar(used_fraction, bar, '#') + "] " + memory;
  const int faults_at = static_cast<int>(line.text.size());
  line.text += faults;
  line.spans.push_back({cpu_bar_at, bar, Style::kGood});
  line.spans.push_back({mem_bar_at, bar, Style::kWarn});
  // Remote hinting faults outnumbering local ones on a node is the thing to notice.
  const double local = node.local_faults_per_s.value_or(0);
  const double remote = node.remote_faults_per_s.value_or(0);
  if (remote > 0)
    line.spans.push_back({faults_at, static_cast<int>(faults.size()),
                          remote > local ? Style::kBad : Style::kNormal});
  line.text = fit_left(line.text, width);
  line.spans.erase(std::remove_if(line.spans.begin(), line.spans.end(),
                                  [&](const Span& s) { return s.start >= width; }),
                   line.spans.end());
  for (Span& s : line.spans) s.length = std::min(s.length, width - s.start);
  return line;
}

void add_distance_matrix(Frame& frame, const DashboardModel& model, int width) {
  const auto& ids = model.node_ids();
  std::string heading = "dist ";
  for (int to : ids) heading += fmt::format("{:>4}", fmt::format("N{}", to));
  frame.add(fit_left(heading, width), Style::kDim);
  for (int from : ids) {
    std::string row = fmt::format("{:<5}", fmt::format("N{}", from));
    for (int to : ids) {
      const int d = model.topology().distance(from, to);
      row += d > 0 ? fmt::format("{:>4}", d) : "   ?";
    }
    frame.add(fit_left(row, width));
  }
}

void add_header(Frame& frame, const DashboardModel& model, const ViewState& state,
                const LayoutOptions& o) {
  frame.lines.push_back(title_line(model, state, o));
  const auto& nodes = model.nodes();
  // On a short terminal the bars yield to the table: at most a third of the lines.
  std::size_t shown = nodes.size();
  if (o.height > 0) shown = std::min<std::size_t>(shown, static_cast<std::size_t>(std::max(1, o.height / 3)));
  for (std::size_t i = 0; i < shown; ++i) frame.lines.push_back(node_line(nodes[i], o.width));
  if (shown < nodes.size())
    frame.add(fit_left(fmt::format("... {} more nodes: press n for the nodes view",
                                   nodes.size() - shown),
                       o.width),
              Style::kDim);
  std::uint64_t local = 0, remote = 0;
  for (const NodeSample& n : model.snapshot().nodes)
    local += n.numa_faults_local, remote += n.numa_faults_remote;
  std::optional<double> secs = model.window_seconds();
  auto rate = [&](std::uint64_t v) {
    return secs && *secs > 0 ? std::optional<double>(static_cast<double>(v) / *secs) : std::nullopt;
  };
  Line summary;
  summary.text = fmt::format("procs {}  threads {}  faults local {}/s remote {}/s  lost events {}",
                             model.processes().size(), model.total_threads(),
                             format_rate(rate(local)), format_rate(rate(remote)),
                             model.snapshot().events_lost);
  if (model.snapshot().events_lost > 0)
    summary.spans.push_back({static_cast<int>(summary.text.rfind("lost")),
                             static_cast<int>(summary.text.size() - summary.text.rfind("lost")),
                             Style::kBad});
  summary.text = fit_left(summary.text, o.width);
  summary.spans.erase(std::remove_if(summary.spans.begin(), summary.spans.end(),
                                     [&](const Span& s) { return s.start + s.length > o.width; }),
                      summary.spans.end());
  frame.lines.push_back(std::move(summary));
  if (state.show_distances) add_distance_matrix(frame, model, o.width);
}

// Rows that pass the filter for each view.
std::function<bool(const ProcessRow&)> process_filter(const ViewState& state) {
  const Filter f = parse_filter(state.filter);
  const std::string scope = state.cgroup_scope;
  return [f, scope](const ProcessRow& r) {
    if (!scope.empty() && r.cgroup != scope) return false;
    if (f.node >= 0 && r.home_node != f.node) return false;
    if (!f.cgroup.empty() && !contains(r.cgroup, f.cgroup) && !contains(r.container, f.cgroup))
      return false;
    if (!f.text.empty() && !contains(r.comm, f.text) && !contains(r.cgroup, f.text) &&
        !contains(r.container, f.text) && std::to_string(r.pid) != f.text)
      return false;
    return true;
  };
}

std::function<bool(const ThreadRow&)> thread_filter(const ViewState& state) {
  const Filter f = parse_filter(state.filter);
  return [f](const ThreadRow& r) {
    if (f.node >= 0 && r.home_node != f.node && r.last_node != f.node) return false;
    if (!f.text.empty() && !contains(r.comm, f.text) && std::to_string(r.tid) != f.text)
      return false;
    return true;
  };
}

std::function<bool(const CgroupRow&)> cgroup_filter(const ViewState& state) {
  const Filter f = parse_filter(state.filter);
  return [f](const CgroupRow& r) {
    if (f.node >= 0 && r.home_node != f.node) return false;
    const std::string& needle = f.cgroup.empty() ? f.text : f.cgroup;
    if (!needle.empty() && !contains(r.path, needle) && !contains(r.container, needle))
      return false;
    return true;
  };
}

std::function<bool(const NodeRow&)> node_filter(const ViewState& state) {
  const Filter f = parse_filter(state.filter);
  return [f](const NodeRow& r) { return f.node < 0 || r.id == f.node; };
}

// The table for one view: heading, then the rows that fit, the selected one highlighted.
template <class Row, class KeyOf>
void add_table(Frame& frame, ViewState& state, const LayoutOptions& o,
               const std::vector<Row>& rows, const std::vector<Column<Row>>& columns,
               const std::function<bool(const Row&)>& keep, KeyOf key_of, int room,
               const std::string& empty_message, const std::string& gone_what) {
  SortOrder& sort = state.current_sort();
  const ColumnLayout layout = layout_columns(columns, o.width);
  frame.lines.push_back(format_heading(columns, layout, sort.column_id, sort.descending, o.width));
  const std::vector<std::size_t> order = order_rows(rows, columns, sort.column_id,
                                                    sort.descending, keep);
  TableCursor& cursor = state.cursor();
  if (order.empty()) {
    if (!cursor.selected_key.empty() && o.interactive && !gone_what.empty())
      state.notice = fmt::format("{} {} is gone", gone_what, cursor.selected_key);
    cursor = {};
    frame.add(fit_left(empty_message, o.width), Style::kDim);
    return;
  }
  // Follow the selected row by its key; when it vanished keep the position.
  int selected = -1;
  if (!cursor.selected_key.empty()) {
    for (std::size_t i = 0; i < order.size(); ++i)
      if (key_of(rows[order[i]]) == cursor.selected_key) { selected = static_cast<int>(i); break; }
    if (selected < 0 && o.interactive && !gone_what.empty())
      state.notice = fmt::format("{} {} is gone; selection moved", gone_what, cursor.selected_key);
  }
  if (selected < 0) selected = std::clamp(cursor.selected_index, 0, static_cast<int>(order.size()) - 1);
  cursor.selected_index = selected;
  cursor.selected_key = key_of(rows[order[static_cast<std::size_t>(selected)]]);
  const int visible = o.height > 0 ? std::max(1, room) : static_cast<int>(order.size());
  state.page_rows = std::max(1, visible - 1);
  cursor.top = std::clamp(cursor.top, std::max(0, selected - visible + 1), selected);
  cursor.top = std::min(cursor.top, std::max(0, static_cast<int>(order.size()) - visible));
  const int end = std::min(static_cast<int>(order.size()), cursor.top + visible);
  for (int i = cursor.top; i < end; ++i) {
    Line line = format_row(rows[order[static_cast<std::size_t>(i)]], columns, layout, o.width);
    if (o.interactive && i == selected) {
      line.style = Style::kSelected;
      line.spans.clear();  // the selection bar reads better in one colour
    }
    frame.lines.push_back(std::move(line));
  }
}

std::string view_title(const DashboardModel& model, const ViewState& state) {
  std::string title = fmt::format("[{}]", view_name(state.view));
  if (state.view == View::kThreads) {
    const ProcessRow* p = model.process(state.threads_pid);
    title = p ? fmt::format("[Threads of {} {}]", state.threads_pid, printable(p->comm))
              : fmt::format("[Threads of {}]", state.threads_pid);
  }
  if (state.view == View::kProcesses && !state.cgroup_scope.empty())
    title += " cgroup " + state.cgroup_scope;
  const SortOrder& sort = state.sort[static_cast<int>(state.view)];
  title += fmt::format(" sort {}{}", sort.column_id, sort.descending ? " desc" : " asc");
  if (!state.filter.empty()) title += fmt::format(" filter '{}'", state.filter);
  return title;
}

const char* kFooter =
    "h:help q:quit p:procs t:threads c:cgroups n:nodes o:coord /:filter </>:sort r:reverse "
    "space:pause +/-:interval d:distances Enter:open Esc:back";

}  // namespace

std::vector<std::string> help_lines() {
  return {
      "aurora top - keys",
      "",
      "  p 1   processes view (default)        t 2   threads of the selected process",
      "  c 3   cgroups/containers view          n 4   nodes view",
      "  o 5   coordinator view                 h ?   this help (any view key leaves it)",
      "  Up/Down j/k PgUp/PgDn Home/End g/G     move the selection",
      "  Enter Right   open: process->threads, cgroup->its processes, node->its processes",
      "  Esc Left Bksp back: clear filter, leave drill-down, threads->processes",
      "  < >  , .      sort by the previous/next column      r I   reverse the sort",
      "  P M L R N     sort by CPU%, MEM, LOC%, RFLT/s, PID (again: reverse)",
      "  /             filter: text matches name, cgroup, container or pid;",
      "                'node:N' keeps home node N; 'cg:TEXT' keeps cgroups containing TEXT",
      "  space         pause/resume refresh      + -   longer/shorter refresh interval",
      "  d             show/hide the node distance matrix",
      "  a u           coordinator view: apply/revert the selected entry (in-process only)",
      "  q             quit",
      "",
      "Colours: LOC% green >= 80%, yellow 50-80% (marked ?), red < 50% (marked !).",
      "A node's fault figures turn red when remote faults outnumber local ones.",
      "NODES: one digit per node = tenths of the memory on it ('.' none, 9 = 90% or more).",
      "docs/dashboard.md explains every column and where it comes from.",
  };
}

Frame layout_screen(const DashboardModel& model, ViewState& state, const LayoutOptions& o) {
  Frame frame;
  add_header(frame, model, state, o);
  frame.add(fit_left(view_title(model, state), o.width), Style::kDim);
  const int bottom = o.interactive ? 2 : 0;  // message line + footer
  const int room = o.height > 0
                       ? o.height - static_cast<int>(frame.lines.size()) - 1 /* heading */ - bottom
                       : INT_MAX;
  if (state.help) {
    for (const std::string& l : help_lines()) frame.add(fit_left(l, o.width));
  } else if (!model.has_data()) {
    frame.add(fit_left("waiting for the first snapshot...", o.width), Style::kDim);
  } else {
    const std::string filter_hint = state.filter.empty() && state.cgroup_scope.empty()
                                        ? ""
                                        : " (filter hides the rest: Esc clears it)";
    switch (state.view) {
      case View::kProcesses:
        add_table(frame, state, o, model.processes(), process_columns(model.node_ids()),
                  process_filter(state), [](const ProcessRow& r) { return std::to_string(r.pid); },
                  room, "no processes in scope" + filter_hint, "pid");
        break;
      case View::kThreads: {
        if (!model.process(state.threads_pid)) {
          const std::string message =
              state.threads_pid < 0
                  ? "no process selected: choose one in the processes view and press Enter"
                  : fmt::format("process {} has exited; Esc returns to the processes view",
                                state.threads_pid);
          frame.add(fit_left(message, o.width), Style::kWarn);
          break;
        }
        const auto rows = model.threads_of(state.threads_pid);
        add_table(frame, state, o, rows, thread_columns(), thread_filter(state),
                  [](const ThreadRow& r) { return std::to_string(r.tid); }, room,
                  "no threads reported for this process" + filter_hint, "tid");
        break;
      }
      case View::kCgroups:
        add_table(frame, state, o, model.cgroups(), cgroup_columns(model.node_ids()),
                  cgroup_filter(state), [](const CgroupRow& r) { return r.path; }, room,
                  "no cgroups in scope" + filter_hint, "cgroup");
        break;
      case View::kNodes:
        add_table(frame, state, o, model.nodes(), node_columns(), node_filter(state),
                  [](const NodeRow& r) { return std::to_string(r.id); }, room,
                  "no nodes" + filter_hint, "");
        break;
      case View::kCoordinator: {
        if (!o.coordinator) {
          frame.add(fit_left("No coordinator is attached to this dashboard: its recommendations "
                             "and actions appear here when it runs in the same process.",
                             o.width),
                    Style::kDim);
          break;
        }
        std::vector<CoordinatorRow> rows;
        for (CoordinatorEntry& e : o.coordinator->recent(1000)) rows.push_back({std::move(e)});
        add_table(frame, state, o, rows, coordinator_columns(), {},
                  [](const CoordinatorRow& r) { return std::to_string(r.entry.id); }, room,
                  "the coordinator has made no recommendation yet", "");
        break;
      }
    }
  }
  if (o.interactive && o.height > 0) {
    // Pad so the message line and footer sit at the bottom.
    while (static_cast<int>(frame.lines.size()) < o.height - 2) frame.add(std::string(o.width, ' '));
    frame.lines.resize(static_cast<std::size_t>(std::max(0, o.height - 2)));
    if (state.editing_filter)
      frame.add(fit_left("filter: " + state.filter + "_   (Enter keeps, Esc cancels)", o.width),
                Style::kWarn);
    else
      frame.add(fit_left(state.notice, o.width), Style::kWarn);
    frame.add(fit_left(kFooter, o.width), Style::kColumnHeader);
  }
  return frame;
}

}  // namespace aurora::dashboard
