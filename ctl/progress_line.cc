#include "ctl/progress_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace hfd::ctl {
namespace {

constexpr std::size_t kWidestBar = 30;
constexpr std::size_t kNarrowestBar = 10;
constexpr std::size_t kShortestName = 8;  // "…" and 7 characters of the name's end

std::string Bar(double fraction, std::size_t width) {
  const auto filled = static_cast<std::size_t>(std::clamp(fraction, 0.0, 1.0) * width);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] ";
}

std::string Join(const std::vector<std::string>& parts, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += (i == 0 ? "" : "  ") + parts[i];
  return text;
}

// The last `width` columns of `name` after "…".
std::string NameEnd(const std::string& name, std::size_t width) {
  std::size_t start = name.size();
  for (std::size_t kept = 0; start > 0 && kept + 1 < width;) {
    --start;
    if ((static_cast<unsigned char>(name[start]) & 0xC0) != 0x80) ++kept;
  }
  return "…" + name.substr(start);
}

}  // namespace

int TerminalColumns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
  return size.ws_col;
}

std::size_t DisplayWidth(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string FitProgressLine(double fraction, const std::vector<std::string>& details, int columns) {
  const std::size_t room = static_cast<std::size_t>(std::max(columns, 2)) - 1;
  std::vector<std::string> parts = details;
  for (std::size_t count = parts.size(); count > 0; --count) {
    std::string text = Join(parts, count);
    const std::size_t bar_room = 3;  // "[", "] "
    if (DisplayWidth(text) + bar_room + kNarrowestBar <= room) {
      const std::size_t bar = std::min(kWidestBar, room - DisplayWidth(text) - bar_room);
      return Bar(fraction, bar) + text;
    }
    // Before the file name goes, it is shortened to what fits beside the narrowest bar.
    if (count == parts.size() && count > 1) {
      const std::size_t others = DisplayWidth(Join(parts, count - 1)) + 2;  // "  "
      const std::size_t used = others + bar_room + kNarrowestBar;
      if (used + kShortestName <= room) {
        parts.back() = NameEnd(parts.back(), room - used);
        return Bar(fraction, kNarrowestBar) + Join(parts, count);
      }
    }
  }
  // Too narrow even for a bar: the most important detail alone.
  return parts.empty() ? "" : parts.front().substr(0, room);
}

}  // namespace hfd::ctl
