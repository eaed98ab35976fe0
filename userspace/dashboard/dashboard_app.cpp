#include "dashboard/dashboard_app.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "dashboard/curses_screen.hpp"
#include "dashboard/screen_layout.hpp"
#include "dashboard/snapshot_pump.hpp"
#include "dashboard/view_model.hpp"

namespace aurora::dashboard {

namespace {

std::atomic<bool> g_stop_requested{false};

void on_stop_signal(int) { g_stop_requested.store(true); }

// Installs the stop handlers for the dashboard's lifetime and puts the old ones back after.
class StopSignals {
 public:
  StopSignals() {
    g_stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &old_[i]);
  }
  ~StopSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> old_{};
};

ViewState initial_state(const DashboardOptions& options) {
  ViewState state;
  state.view = options.view;
  if (options.interval_seconds) state.interval_seconds = *options.interval_seconds;
  if (!options.sort_column.empty()) {
    SortOrder& sort = state.current_sort();
    sort.column_id = options.sort_column;
    sort.descending = options.sort_column != "pid" && options.sort_column != "comm" &&
                      options.sort_column != "tid" && options.sort_column != "node";
  }
  state.filter = options.filter;
  return state;
}

int batch_width(const DashboardOptions& options) {
  if (options.batch_width > 0) return options.batch_width;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int w = std::atoi(columns);
    if (w >= 40 && w <= 1000) return w;
  }
  return 200;
}

// Uses the source's own interval as the refresh interval unless the user chose one.
void adopt_source_interval(ViewState& state, const DashboardOptions& options,
                           const DashboardModel& model) {
  if (options.interval_seconds) return;
  if (auto w = model.window_seconds()) state.interval_seconds = std::clamp(*w, 0.5, 60.0);
}

}  // namespace

bool terminal_is_interactive() {
  if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) return false;
  const char* term = std::getenv("TERM");
  return term && *term && std::strcmp(term, "dumb") != 0;
}

Result<void> run_batch(SnapshotSource& source, const DashboardOptions& options, std::FILE* out,
                       const CoordinatorFeed* coordinator) {
  DashboardModel model(source.topology());
  ViewState state = initial_state(options);
  LayoutOptions layout;
  layout.width = batch_width(options);
  layout.height = 0;
  layout.interactive = false;
  layout.source_label = options.source_label;
  layout.coordinator = coordinator;
  StopSignals signals;
  for (int printed = 0; options.iterations <= 0 || printed < options.iterations; ++printed) {
    if (g_stop_requested.load()) break;
    auto snapshot = source.next();
    if (!snapshot) return tl::unexpected(snapshot.error());
    if (!snapshot->has_value()) break;
    model.update(std::move(**snapshot), coordinator);
    adopt_source_interval(state, options, model);
    const Frame frame = layout_screen(model, state, layout);
    if (printed > 0) std::fputc('\n', out);
    const std::string text = frame.text();
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
      if (errno == EPIPE) break;  // `top -b | head`: the reader is done, so are we
      return fail(ErrorKind::kRuntime,
                  fmt::format("top: writing the batch output failed: {}", std::strerror(errno)));
    }
  }
  return {};
}

Result<void> run_interactive(SnapshotSource& source, const DashboardOptions& options,
                             CoordinatorFeed* coordinator) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;
  auto screen = CursesScreen::open(options.colour);
  if (!screen) return tl::unexpected(screen.error());
  DashboardModel model(source.topology());
  ViewState state = initial_state(options);
  LayoutOptions layout;
  layout.source_label = options.source_label;
  layout.coordinator = coordinator;
  bool source_ended = false;
  // Declared after the screen: destroyed (source stopped, thread joined) before endwin.
  std::optional<SnapshotPump> pump;
  if (options.live) {
    pump.emplace(source);
    layout.status = "collecting the first interval...";
  }
  auto next_refresh = Clock::now();
  bool dirty = true;
  while (!g_stop_requested.load()) {
    const auto now = Clock::now();
    if (pump && !state.paused && !source_ended && now >= next_refresh) {
      if (auto window = pump->take()) {
        model.update(std::move(*window), coordinator);
        layout.status.clear();
      }
      if (pump->ended()) {
        auto error = pump->error();
        layout.status = error ? error->message : "the source stopped (q quits)";
        source_ended = true;
      }
      // Until the first interval is in, look often so it shows as soon as it ends.
      next_refresh = Clock::now() + (model.has_data()
                                         ? std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(state.interval_seconds))
                                         : std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::milliseconds(100)));
      dirty = true;
    } else if (!pump && !state.paused && !source_ended && now >= next_refresh) {
      auto snapshot = source.next();
      if (!snapshot) {
        layout.status = snapshot.error().message;
        source_ended = true;
      } else if (!snapshot->has_value()) {
        layout.status = "end of recording (q quits)";
        source_ended = true;
      } else {
        model.update(std::move(**snapshot), coordinator);
        adopt_source_interval(state, options, model);
      }
      next_refresh = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(state.interval_seconds));
      dirty = true;
    }
    if (dirty) {
      layout.width = (*screen)->width();
      layout.height = (*screen)->height();
      (*screen)->draw(layout_screen(model, state, layout));
      dirty = false;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_refresh - Clock::now());
    const int timeout_ms = static_cast<int>(std::clamp<long>(wait.count(), 10, 250));
    const int key = (*screen)->read_key(timeout_ms);
    if (key < 0) continue;
    const KeyEffect effect = handle_key(state, key, model);
    switch (effect) {
      case KeyEffect::kQuit: return {};
      case KeyEffect::kIntervalChanged:
        next_refresh = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(state.interval_seconds));
        break;
      case KeyEffect::kApplySelected:
      case KeyEffect::kRevertSelected: {
        const std::string& key_text = state.cursor().selected_key;
        if (!coordinator) {
          state.notice = "no coordinator is attached to this dashboard";
        } else if (!coordinator->can_act()) {
          state.notice = "the coordinator here only advises: it cannot apply or revert";
        } else if (key_text.empty()) {
          state.notice = "select an entry first";
        } else {
          const std::uint64_t id = std::stoull(key_text);
          auto done = effect == KeyEffect::kApplySelected ? coordinator->apply(id)
                                                          : coordinator->revert(id);
          state.notice = done ? fmt::format("entry {} {}", id,
                                            effect == KeyEffect::kApplySelected ? "applied"
                                                                                : "reverted")
                              : done.error().message;
        }
        break;
      }
      default:
        break;
    }
    dirty = true;
  }
  return {};
}

}  // namespace aurora::dashboard
