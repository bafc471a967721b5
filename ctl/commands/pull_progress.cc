#include "ctl/commands/pull_progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "ctl/output.h"
#include "ctl/progress_line.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

PullProgressPrinter::Mode PullProgressPrinter::ModeFor(bool json) {
  if (json) return Mode::kJson;
  return ::isatty(STDERR_FILENO) ? Mode::kBar : Mode::kLines;
}

void PullProgressPrinter::Update(const nlohmann::json& p) {
  if (mode_ == Mode::kJson) {
    nlohmann::json line = p;
    line.erase("msgid");
    std::printf("%s\n", proto::DumpJson(nlohmann::json{{"progress", line}}).c_str());
    std::fflush(stdout);
    return;
  }
  const std::string phase = p.value("phase", "");
  if (phase == "retrying") return ShowRetry(p);
  if (mode_ == Mode::kBar) {
    if (phase == "downloading" || phase == "file_done") DrawBar(p);
    return;
  }
  // Plain lines: each finished file, and a status line at most every 5 s.
  const auto now = std::chrono::steady_clock::now();
  if (phase == "file_done") {
    std::fprintf(stderr, "done %s (%s)\n", p.value("file", "").c_str(),
                 HumanBytes(p.value("file_total", 0.0)).c_str());
  } else if (phase == "downloading" && now - last_line_ >= std::chrono::seconds(5)) {
    last_line_ = now;
    std::fprintf(stderr, "downloading %s: %s of %s\n", p.value("file", "").c_str(),
                 HumanBytes(p.value("bytes", 0.0)).c_str(),
                 HumanBytes(p.value("total", 0.0)).c_str());
  }
}

// "retry 2 of 5 in 4 s: <why>": in place of the bar on a terminal, a line otherwise.
void PullProgressPrinter::ShowRetry(const nlohmann::json& p) {
  const std::string text =
      fmt::format("retry {} of {} in {:.0f} s: {}", p.value("retry", 0), p.value("retries", 0),
                  p.value("retry_in_seconds", 0.0), p.value("reason", ""));
  if (mode_ == Mode::kBar) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    bar_drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void PullProgressPrinter::DrawBar(const nlohmann::json& p) {
  const double done = p.value("bytes", 0.0);
  const double total = p.value("total", 0.0);
  const double rate = p.value("bytes_per_second", 0.0);
  const double fraction = total > 0 ? std::min(1.0, done / total) : 0;
  const std::string eta = rate > 0 ? HumanDuration((total - done) / rate) : "?";
  const std::string line = FitProgressLine(
      fraction,
      {fmt::format("{:3.0f}%", fraction * 100), HumanBytes(done) + " / " + HumanBytes(total),
       "ETA " + eta, HumanBytes(rate) + "/s", p.value("file", "")},
      TerminalColumns(STDERR_FILENO));
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  bar_drawn_ = true;
}

void PullProgressPrinter::Finish() {
  if (bar_drawn_) std::fprintf(stderr, "\r\033[K");
  bar_drawn_ = false;
}

}  // namespace hfd::ctl
