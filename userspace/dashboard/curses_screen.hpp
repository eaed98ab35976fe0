// The terminal, through ncurses: draws Frames, reads keys, reports the size. The destructor
// restores the terminal (endwin) on every way out, including errors and signals caught by the
// dashboard loop.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "aurora/result.hpp"
#include "dashboard/frame.hpp"

namespace aurora::dashboard {

class CursesScreen {
 public:
  // kUnsupported when ncurses does not know the terminal type (use --batch then). `out` and
  // `in` are the terminal (benchmarks pass /dev/null and size it with LINES/COLUMNS).
  static Result<std::unique_ptr<CursesScreen>> open(bool colour, std::FILE* out = stdout,
                                                    std::FILE* in = stdin);
  ~CursesScreen();
  CursesScreen(const CursesScreen&) = delete;
  CursesScreen& operator=(const CursesScreen&) = delete;

  int width() const;
  int height() const;
  bool colour() const { return colour_; }
  void draw(const Frame& frame);
  // Waits up to `timeout_ms` for a key; returns a dashboard::keys code, a character, or -1.
  int read_key(int timeout_ms);

 private:
  CursesScreen() = default;
  int attributes(Style style) const;

  void* screen_ = nullptr;  // SCREEN*, kept opaque so callers need no curses.h
  bool colour_ = false;
};

}  // namespace aurora::dashboard
