#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace hfd {
namespace {

// Splits "1.5GiB" into 1.5 and "GiB"; false when there is no leading number.
bool SplitNumber(std::string_view text, double& number, std::string& suffix) {
  const std::string s(text);
  char* end = nullptr;
  number = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(number)) return false;
  suffix.assign(end);
  while (!suffix.empty() && suffix.front() == ' ') suffix.erase(suffix.begin());
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return true;
}

}  // namespace

Result<double> ParseDurationSeconds(std::string_view text, std::string_view what) {
  double number = 0;
  std::string suffix;
  const auto bad = [&] {
    return InvalidArgument(std::string(what) + ": '" + std::string(text) +
                           "' is not a duration; use seconds (300) or a number with s, m, h "
                           "or d (90s, 5m, 2h), negative for forever");
  };
  if (!SplitNumber(text, number, suffix)) return bad();
  if (suffix.empty() || suffix == "s") return number;
  if (suffix == "m") return number * 60;
  if (suffix == "h") return number * 3600;
  if (suffix == "d") return number * 86400;
  return bad();
}

Result<std::int64_t> ParseByteSize(std::string_view text, std::string_view what) {
  double number = 0;
  std::string suffix;
  const auto bad = [&] {
    return InvalidArgument(std::string(what) + ": '" + std::string(text) +
                           "' is not a size; use bytes or a number with K, M, G or T "
                           "(512M, 8GiB)");
  };
  if (!SplitNumber(text, number, suffix) || number < 0) return bad();
  if (suffix.size() > 1 && (suffix.ends_with("ib") || suffix.ends_with("b"))) {
    suffix.erase(suffix.find(suffix.ends_with("ib") ? "ib" : "b"));
  }
  double scale = 1;
  if (suffix == "k") {
    scale = 1024.0;
  } else if (suffix == "m") {
    scale = 1024.0 * 1024;
  } else if (suffix == "g") {
    scale = 1024.0 * 1024 * 1024;
  } else if (suffix == "t") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else if (!suffix.empty() && suffix != "b") {
    return bad();
  }
  const double bytes = number * scale;
  if (bytes > 9.0e18) return bad();
  return static_cast<std::int64_t>(bytes);
}

std::string FormatBytes(std::int64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (std::fabs(value) >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

}  // namespace hfd
