#include "bench/serve/report.h"

#include <ctime>
#include <fstream>
#include <iostream>

namespace hfd::bench {
namespace {

std::string Date() {
  const std::time_t now = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buffer;
}

}  // namespace

void Report::Add(nlohmann::json line) {
  line["date"] = Date();
  if (path_ == "-") std::cout << line.dump() << "\n";
  if (!path_.empty() && path_ != "-") std::ofstream(path_, std::ios::app) << line.dump() << "\n";
}

}  // namespace hfd::bench
