// Tables: column definitions, which columns fit the terminal width, row order (sort + filter),
// and formatting of the rows that are on screen. Generic over the row type of each view.
//
// Only visible rows are formatted: a 10k-thread process sorts 10k numbers, but formats the
// 20-odd rows the terminal shows.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "dashboard/format.hpp"
#include "dashboard/frame.hpp"

namespace aurora::dashboard {

template <class Row>
struct Column {
  std::string id;          // stable name, used by --sort and the sort keys
  std::string title;
  int width = 0;           // the cells it needs
  int max_width = 0;       // > width: grows into spare space (names, paths)
  int priority = 0;        // 0 always shown; higher numbers are dropped first when narrow
  bool left = false;       // left-aligned text
  bool path = false;       // cut from the front when too long
  std::function<std::string(const Row&)> text;
  std::function<double(const Row&)> number;  // numeric sort key (NaN = absent, sorts last);
                                             // without one the column sorts by its text
  std::function<Style(const Row&)> style;    // optional per-cell style
};

struct ColumnLayout {
  std::vector<std::size_t> columns;  // indices into the column list, in display order
  std::vector<int> widths;
};

// Keeps columns by priority while they fit `width` (one space between columns), then spreads
// spare cells over the growable columns.
template <class Row>
ColumnLayout layout_columns(const std::vector<Column<Row>>& columns, int width) {
  std::vector<std::size_t> by_priority(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) by_priority[i] = i;
  std::stable_sort(by_priority.begin(), by_priority.end(), [&](std::size_t a, std::size_t b) {
    return columns[a].priority < columns[b].priority;
  });
  std::vector<bool> keep(columns.size(), false);
  int used = 0;
  for (std::size_t i : by_priority) {
    const int need = columns[i].width + (used > 0 ? 1 : 0);
    if (used + need > width && columns[i].priority > 0) continue;
    keep[i] = true;
    used += need;
  }
  ColumnLayout layout;
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (keep[i]) {
      layout.columns.push_back(i);
      layout.widths.push_back(columns[i].width);
    }
  int spare = width - used;
  // Hand spare cells to growable columns round-robin so two names share the room.
  bool grew = true;
  while (spare > 0 && grew) {
    grew = false;
    for (std::size_t k = 0; k < layout.columns.size() && spare > 0; ++k) {
      const Column<Row>& c = columns[layout.columns[k]];
      if (c.max_width > layout.widths[k]) {
        const int step = std::min({spare, c.max_width - layout.widths[k], 8});
        layout.widths[k] += step;
        spare -= step;
        grew = true;
      }
    }
  }
  return layout;
}

// Row indices that pass `keep`, ordered by column `sort_id` (unknown id: input order).
template <class Row>
std::vector<std::size_t> order_rows(const std::vector<Row>& rows,
                                    const std::vector<Column<Row>>& columns,
                                    const std::string& sort_id, bool descending,
                                    const std::function<bool(const Row&)>& keep) {
  std::vector<std::size_t> order;
  order.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!keep || keep(rows[i])) order.push_back(i);
  const Column<Row>* sort_column = nullptr;
  for (const Column<Row>& c : columns)
    if (c.id == sort_id) sort_column = &c;
  if (!sort_column) return order;
  if (sort_column->number) {
    std::vector<double> keys(rows.size(), 0);
    for (std::size_t i : order) keys[i] = sort_column->number(rows[i]);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double ka = keys[a], kb = keys[b];
      if (std::isnan(ka) || std::isnan(kb)) return !std::isnan(ka) && std::isnan(kb);
      return descending ? ka > kb : ka < kb;
    });
  } else {
    std::vector<std::string> keys(rows.size());
    for (std::size_t i : order) keys[i] = sort_column->text(rows[i]);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return descending ? keys[a] > keys[b] : keys[a] < keys[b];
    });
  }
  return order;
}

// The heading line; the sort column's title carries '<' (ascending) or '>' (descending).
template <class Row>
Line format_heading(const std::vector<Column<Row>>& columns, const ColumnLayout& layout,
                    const std::string& sort_id, bool descending, int width) {
  Line line;
  line.style = Style::kColumnHeader;
  for (std::size_t k = 0; k < layout.columns.size(); ++k) {
    const Column<Row>& c = columns[layout.columns[k]];
    std::string title = c.title;
    if (c.id == sort_id) title += descending ? ">" : "<";
    if (k > 0) line.text += ' ';
    line.text += c.left ? fit_left(title, layout.widths[k]) : fit_right(title, layout.widths[k]);
  }
  line.text = fit_left(line.text, width);
  return line;
}

template <class Row>
Line format_row(const Row& row, const std::vector<Column<Row>>& columns,
                const ColumnLayout& layout, int width) {
  Line line;
  int at = 0;
  for (std::size_t k = 0; k < layout.columns.size(); ++k) {
    const Column<Row>& c = columns[layout.columns[k]];
    if (k > 0) line.text += ' ', ++at;
    const std::string text = c.text(row);
    const int w = layout.widths[k];
    line.text += c.path ? fit_path(text, w) : c.left ? fit_left(text, w) : fit_right(text, w);
    if (c.style) {
      const Style s = c.style(row);
      if (s != Style::kNormal) line.spans.push_back(Span{at, w, s});
    }
    at += w;
  }
  line.text = fit_left(line.text, width);
  return line;
}

}  // namespace aurora::dashboard
