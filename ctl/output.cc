#include "ctl/output.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "proto/codec.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {

void Output::Json(const nlohmann::json& value) const {
  std::fputs(proto::DumpJson(value, 2).c_str(), stdout);
  std::fputc('\n', stdout);
}

void Output::Line(const std::string& text) const {
  std::fputs(text.c_str(), stdout);
  std::fputc('\n', stdout);
}

void Output::Table(const std::vector<std::pair<std::string, std::string>>& rows) const {
  std::size_t width = 0;
  for (const auto& [key, value] : rows) width = std::max(width, key.size() + 1);
  for (const auto& [key, value] : rows) Line(fmt::format("  {:<{}} {}", key + ":", width, value));
}

void Output::Columns(const std::vector<std::vector<std::string>>& rows) const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    Line(line);
  }
}

void Output::Error(const Status& status) const {
  std::fprintf(stderr, "hfctl: %s\n", status.message().c_str());
  // One line, so that streamed JSON lines (run, chat) stay one object per line.
  if (json_) Line(proto::DumpJson({{"error", proto::ErrorToJson(status)}}));
}

std::string Count(long long count, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string HumanDuration(double seconds) {
  auto s = static_cast<long long>(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m {}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h {}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d {}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace hfd::ctl
