// One screenful of dashboard output, independent of how it reaches the terminal: lines of
// printable ASCII plus style spans. The ncurses renderer draws it with attributes; the plain
// text renderer (`top -b`, TERM=dumb, pipes) prints the text and drops the styles.
#pragma once

#include <string>
#include <vector>

namespace aurora::dashboard {

enum class Style {
  kNormal,
  kTitle,        // the top line
  kColumnHeader, // table headings (reverse video)
  kSelected,     // the selected row
  kGood,         // locality >= 80%
  kWarn,         // locality 50..80%, or a figure worth a look
  kBad,          // locality < 50%, lost events
  kDim,          // absent figures, hints
};

struct Span {
  int start = 0;
  int length = 0;
  Style style = Style::kNormal;
};

struct Line {
  std::string text;
  Style style = Style::kNormal;  // the whole line's style; spans override parts of it
  std::vector<Span> spans;
};

struct Frame {
  std::vector<Line> lines;
  void add(std::string text, Style style = Style::kNormal) {
    lines.push_back(Line{std::move(text), style, {}});
  }
  // The text alone, one '\n' after each line.
  std::string text() const {
    std::string out;
    for (const Line& l : lines) out += l.text + "\n";
    return out;
  }
};

}  // namespace aurora::dashboard
