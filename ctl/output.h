// hfctl's output layer: human-readable text by default, stable JSON with --json.
// Results go to stdout, errors to stderr (and, with --json, also to stdout as
// {"error": {code, name, message}} so scripts parse one stream).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::ctl {

class Output {
 public:
  explicit Output(bool json) : json_(json) {}
  bool json() const { return json_; }

  // Prints `value` as indented JSON with sorted keys (stable for scripts).
  void Json(const nlohmann::json& value) const;
  // Prints a line of human text.
  void Line(const std::string& text) const;
  // "  key:   value" rows with aligned values.
  void Table(const std::vector<std::pair<std::string, std::string>>& rows) const;
  // Columns padded to the widest cell; the first row is the header.
  void Columns(const std::vector<std::vector<std::string>>& rows) const;
  void Error(const Status& status) const;

 private:
  bool json_;
};

// "1 file", "2 files": `count` with the noun that agrees with it.
std::string Count(long long count, std::string_view one, std::string_view many);

// "3d 4h", "1m 5s", "12s": a duration for people.
std::string HumanDuration(double seconds);

}  // namespace hfd::ctl
