// Renders `pull` progress notifications: a bar with size, rate and ETA on a terminal,
// occasional plain lines otherwise, one JSON object per line with --json; a retry shows
// what failed and when it is tried again.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace hfd::ctl {

// "1.5 GiB", "312.0 KiB", "17 B".
std::string HumanBytes(double bytes);

// Single-threaded; feed it every notification of one pull.
class PullProgressPrinter {
 public:
  enum class Mode { kBar, kLines, kJson };
  explicit PullProgressPrinter(Mode mode) : mode_(mode) {}
  // Picks kJson with --json, else kBar when stderr is a terminal, else kLines.
  static Mode ModeFor(bool json);

  void Update(const nlohmann::json& progress);
  // Clears the bar line (call before printing the result or an error).
  void Finish();

 private:
  void DrawBar(const nlohmann::json& p);
  void ShowRetry(const nlohmann::json& p);

  Mode mode_;
  bool bar_drawn_ = false;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace hfd::ctl
