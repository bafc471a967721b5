// The serving benchmarks' machine-readable output: one JSON object a line, each stamped
// with the UTC date, appended to a file or written to stdout ("-"); "" writes nothing.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace hfd::bench {

class Report {
 public:
  explicit Report(std::string path) : path_(std::move(path)) {}
  void Add(nlohmann::json line);

 private:
  std::string path_;
};

}  // namespace hfd::bench
