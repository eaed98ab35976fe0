// `aurora-numa-monitor top`: the refresh loop around a SnapshotSource, interactive (ncurses)
// or plain text (batch: like `top -b`, for pipes, TERM=dumb and scripts).
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "aurora/coordinator_feed.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot_source.hpp"
#include "dashboard/view_state.hpp"

namespace aurora::dashboard {

struct DashboardOptions {
  std::optional<double> interval_seconds;  // unset: the source's own interval
  int iterations = 0;                      // batch: snapshots to print, 0 = until the end
  bool colour = true;
  int batch_width = 0;                     // 0: $COLUMNS, else 200
  std::string source_label;                // shown in the title line
  View view = View::kProcesses;            // batch: which table to print
  std::string sort_column;                 // column id, "" = the view's default
  std::string filter;                      // as typed after '/'
  // The source blocks for its interval (the live pipeline): snapshots are pulled on a thread
  // and merged per refresh. Otherwise (a recording) one snapshot is read per refresh.
  bool live = false;
};

// Prints one plain-text screen per snapshot to `out` until the source ends or `iterations`.
// SIGINT/SIGTERM/SIGHUP end it after the snapshot being read.
Result<void> run_batch(SnapshotSource& source, const DashboardOptions& options, std::FILE* out,
                       const CoordinatorFeed* coordinator = nullptr);

// Runs the ncurses dashboard until q, SIGINT/SIGTERM/SIGHUP. Replays are paced by the refresh
// interval; at the end of a recording the last snapshot stays on screen. A live source is
// stopped (request_stop) and its thread joined before this returns.
Result<void> run_interactive(SnapshotSource& source, const DashboardOptions& options,
                             CoordinatorFeed* coordinator = nullptr);

// True when stdout and stdin are terminals and TERM names one that can address the cursor.
bool terminal_is_interactive();

}  // namespace aurora::dashboard
