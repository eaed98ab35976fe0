// Compact number and text formatting for the dashboard's fixed-width columns.
//
// Everything here returns printable ASCII only, so one byte is one terminal cell: names from
// the kernel (comm, cgroup paths) can hold control bytes or UTF-8 that would break alignment
// or drive the terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aurora::dashboard {

// Control bytes and non-ASCII bytes become '?'.
std::string printable(std::string_view text);

// Pads or cuts `text` to exactly `width` cells. Cut text ends in '~' so the cut is visible.
std::string fit_left(std::string_view text, int width);
std::string fit_right(std::string_view text, int width);
// Cuts from the front instead ("~/kubepods/pod12/abc"): the tail of a path says most.
std::string fit_path(std::string_view text, int width);

// Rates per second in at most 5 cells: "0", "12", "999", "1.2k", "34k", "1.2M", "-" (absent).
std::string format_rate(std::optional<double> per_second);
// Bytes in binary units in at most 6 cells: "0", "512K", "12.3M", "1.2G", "3.4T".
std::string format_bytes(std::uint64_t bytes);
// A 0..1 fraction as "87%", or "-" when absent.
std::string format_percent(std::optional<double> fraction);
// A CPU share in percent ("150.0" for one and a half CPUs), one decimal below 1000.
std::string format_cpu_percent(double percent);

// One cell per node: '.' when the node holds none of it, else the tenth of the total the node
// holds, '0' (<10%) .. '9' (>=90%). "9..0" = almost all on the first node, a little on the last.
std::string format_node_shares(const std::vector<std::uint64_t>& per_node);

// A bar of `width` cells, `fraction` (clamped to 0..1) of it filled with `fill`, rest spaces.
std::string format_bar(double fraction, int width, char fill = '|');

}  // namespace aurora::dashboard
