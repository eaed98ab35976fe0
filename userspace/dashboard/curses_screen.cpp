#include "dashboard/curses_screen.hpp"

#include <curses.h>

#include <cstdlib>

#include <fmt/format.h>

#include "dashboard/view_state.hpp"

namespace aurora::dashboard {

namespace {

enum ColourPair : short { kPairGood = 1, kPairWarn, kPairBad, kPairTitle };

}  // namespace

Result<std::unique_ptr<CursesScreen>> CursesScreen::open(bool colour, std::FILE* out,
                                                         std::FILE* in) {
  std::unique_ptr<CursesScreen> screen(new CursesScreen());
  SCREEN* s = newterm(nullptr, out, in);
  if (!s) {
    const char* term = std::getenv("TERM");
    return fail(ErrorKind::kUnsupported,
                fmt::format("terminal type '{}' is unknown to ncurses; run `top --batch` for "
                            "plain text, or set TERM (e.g. TERM=xterm)",
                            term ? term : ""));
  }
  screen->screen_ = s;
  set_term(s);
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);  // Esc is a key here, not the start of a sequence we wait for
  if (colour && has_colors()) {
    start_color();
    use_default_colors();
    init_pair(kPairGood, COLOR_GREEN, -1);
    init_pair(kPairWarn, COLOR_YELLOW, -1);
    init_pair(kPairBad, COLOR_RED, -1);
    init_pair(kPairTitle, COLOR_CYAN, -1);
    screen->colour_ = true;
  }
  return screen;
}

CursesScreen::~CursesScreen() {
  if (!screen_) return;
  curs_set(1);
  endwin();
  delscreen(static_cast<SCREEN*>(screen_));
}

int CursesScreen::width() const { return getmaxx(stdscr); }
int CursesScreen::height() const { return getmaxy(stdscr); }

int CursesScreen::attributes(Style style) const {
  switch (style) {
    case Style::kNormal: return A_NORMAL;
    case Style::kTitle: return A_BOLD | (colour_ ? static_cast<int>(COLOR_PAIR(kPairTitle)) : 0);
    case Style::kColumnHeader: return A_REVERSE;
    case Style::kSelected: return A_REVERSE | A_BOLD;
    case Style::kGood: return colour_ ? static_cast<int>(COLOR_PAIR(kPairGood)) : A_NORMAL;
    case Style::kWarn: return colour_ ? static_cast<int>(COLOR_PAIR(kPairWarn)) : A_NORMAL;
    case Style::kBad: return colour_ ? static_cast<int>(COLOR_PAIR(kPairBad)) | A_BOLD : A_BOLD;
    case Style::kDim: return A_DIM;
  }
  return A_NORMAL;
}

void CursesScreen::draw(const Frame& frame) {
  erase();
  const int rows = height();
  const int cols = width();
  for (int y = 0; y < rows && y < static_cast<int>(frame.lines.size()); ++y) {
    const Line& line = frame.lines[static_cast<std::size_t>(y)];
    attrset(static_cast<attr_t>(attributes(line.style)));
    // The bottom-right cell would scroll the screen: leave it blank.
    const int limit = y == rows - 1 ? cols - 1 : cols;
    mvaddnstr(y, 0, line.text.c_str(), std::min<int>(limit, static_cast<int>(line.text.size())));
    for (const Span& span : line.spans) {
      if (span.start >= limit) continue;
      const int length = std::min(span.length, limit - span.start);
      const int a = attributes(span.style);
      mvchgat(y, span.start, length, static_cast<attr_t>(a & ~A_COLOR),
              static_cast<short>(PAIR_NUMBER(a)), nullptr);
    }
  }
  attrset(A_NORMAL);
  refresh();
}

int CursesScreen::read_key(int timeout_ms) {
  timeout(timeout_ms);
  const int key = getch();
  switch (key) {
    case ERR: return -1;
    case KEY_UP: return keys::kUp;
    case KEY_DOWN: return keys::kDown;
    case KEY_LEFT: return keys::kLeft;
    case KEY_RIGHT: return keys::kRight;
    case KEY_PPAGE: return keys::kPageUp;
    case KEY_NPAGE: return keys::kPageDown;
    case KEY_HOME: return keys::kHome;
    case KEY_END: return keys::kEnd;
    case KEY_ENTER: case '\r': case '\n': return keys::kEnter;
    case KEY_BACKSPACE: return keys::kBackspace;
    case KEY_F(1): return keys::kHelp;
    case KEY_RESIZE: return keys::kResize;
    default: return key;
  }
}

}  // namespace aurora::dashboard
