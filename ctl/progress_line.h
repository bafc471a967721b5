// A progress line that fits the terminal it is redrawn on (with \r): a line longer than
// the terminal wraps, and each redraw then leaves a stale copy above it. The bar narrows
// first, then the file name is shortened from the front, then details are dropped from the
// least useful end.
#pragma once

#include <string>
#include <vector>

namespace hfd::ctl {

// The terminal's width in columns for `fd` (TIOCGWINSZ), 80 when `fd` is no terminal or
// does not say.
int TerminalColumns(int fd);

// Columns `text` takes: its UTF-8 characters (hfctl's progress text has no wide ones).
std::size_t DisplayWidth(const std::string& text);

// "[####------] 42%  1.2 MiB / 3.0 MiB  ..." in fewer than `columns` columns (the last one
// stays free, as some terminals wrap on it). `details` go in order of importance (the
// first one is always kept); the last one is the file name, shortened to "…end" before it
// is dropped.
std::string FitProgressLine(double fraction, const std::vector<std::string>& details, int columns);

}  // namespace hfd::ctl
