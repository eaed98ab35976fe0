// The dashboard's own cost per refresh at 10k threads (docs/performance.md, "Dashboard").
//
// Input: a synthetic 8-node, 200-process, 10,000-thread snapshot (bench/synthetic). Measured:
//   Aggregation            DashboardModel::update: rows, rates, roll-ups (the baseline)
//   BatchRender            aggregation + the plain-text `top -b` screen of every process
//   InteractiveRefresh     aggregation + 80x24 layout + ncurses draw (to /dev/null)
//   InteractiveRefreshWide the same on a 250x60 terminal
//   ThreadsView10k         aggregation + the threads view of one process with 10,000 threads
//   ReplayDecode           parsing one 10k-thread recording line (replay only; live has none)
// Every benchmark reports rss_mib, the process's peak RSS so far.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "dashboard/curses_screen.hpp"
#include "dashboard/screen_layout.hpp"
#include "dashboard/view_model.hpp"
#include "synthetic_recording.hpp"

namespace {

using namespace aurora;
using namespace aurora::dashboard;

synthetic::Spec spec_10k(int processes) {
  synthetic::Spec spec;
  spec.nodes = 8;
  spec.processes = processes;
  spec.threads = 10000;
  return spec;
}

struct Input {
  synthetic::Spec spec;
  Topology topology;
  Snapshot snapshot;
  explicit Input(int processes)
      : spec(spec_10k(processes)),
        topology(synthetic::make_topology(spec)),
        snapshot(synthetic::make_snapshot(spec, 0)) {}
};

const Input& many_processes() {
  static const Input input(200);
  return input;
}

const Input& one_big_process() {
  static const Input input(1);
  return input;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

// update() takes its snapshot by value, as the dashboard hands each one over; the copy made
// here stands in for the source's allocation and is kept out of the timing.
void feed(benchmark::State& state, DashboardModel& model, const Snapshot& snapshot) {
  state.PauseTiming();
  Snapshot copy = snapshot;
  state.ResumeTiming();
  model.update(std::move(copy));
}

void BM_Aggregation(benchmark::State& state) {
  const Input& in = many_processes();
  DashboardModel model(in.topology);
  for (auto _ : state) {
    feed(state, model, in.snapshot);
    benchmark::DoNotOptimize(model.processes().data());
  }
  state.counters["rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_Aggregation)->Unit(benchmark::kMillisecond);

void BM_BatchRender(benchmark::State& state) {
  const Input& in = many_processes();
  DashboardModel model(in.topology);
  ViewState view;
  LayoutOptions o;
  o.width = 200;
  o.height = 0;
  o.interactive = false;
  for (auto _ : state) {
    feed(state, model, in.snapshot);
    const std::string text = layout_screen(model, view, o).text();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_BatchRender)->Unit(benchmark::kMillisecond);

void interactive_refresh(benchmark::State& state, const Input& in, int columns, int lines,
                         bool threads_view) {
  setenv("TERM", "xterm-256color", 1);
  setenv("COLUMNS", std::to_string(columns).c_str(), 1);
  setenv("LINES", std::to_string(lines).c_str(), 1);
  std::FILE* out = std::fopen("/dev/null", "w");
  std::FILE* in_file = std::fopen("/dev/null", "r");
  {
    auto screen = CursesScreen::open(true, out, in_file);
    if (!screen) {
      state.SkipWithError(screen.error().message.c_str());
    } else {
      DashboardModel model(in.topology);
      ViewState view;
      if (threads_view) {
        view.view = View::kThreads;
        view.threads_pid = in.snapshot.processes.front().pid;
      }
      LayoutOptions o;
      o.source_label = "bench";
      for (auto _ : state) {
        feed(state, model, in.snapshot);
        o.width = (*screen)->width();
        o.height = (*screen)->height();
        (*screen)->draw(layout_screen(model, view, o));
      }
    }
  }
  std::fclose(out);
  std::fclose(in_file);
  state.counters["rss_mib"] = peak_rss_mib();
}

void BM_InteractiveRefresh(benchmark::State& state) {
  interactive_refresh(state, many_processes(), 80, 24, false);
}
BENCHMARK(BM_InteractiveRefresh)->Unit(benchmark::kMillisecond);

void BM_InteractiveRefreshWide(benchmark::State& state) {
  interactive_refresh(state, many_processes(), 250, 60, false);
}
BENCHMARK(BM_InteractiveRefreshWide)->Unit(benchmark::kMillisecond);

void BM_ThreadsView10k(benchmark::State& state) {
  interactive_refresh(state, one_big_process(), 200, 50, true);
}
BENCHMARK(BM_ThreadsView10k)->Unit(benchmark::kMillisecond);

void BM_ReplayDecode(benchmark::State& state) {
  nlohmann::json line = many_processes().snapshot;
  line["type"] = "snapshot";
  const std::string text = line.dump();
  for (auto _ : state) {
    auto snapshot = snapshot_from_json(nlohmann::json::parse(text));
    benchmark::DoNotOptimize(snapshot->processes.data());
  }
  state.counters["line_mib"] = static_cast<double>(text.size()) / (1 << 20);
  state.counters["rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_ReplayDecode)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
