// FitProgressLine: the pull's bar never wraps, however narrow the terminal.
#include "ctl/progress_line.h"

#include <gtest/gtest.h>

namespace hfd::ctl {
namespace {

const std::vector<std::string> kDetails{" 42%", "1.3 GiB / 3.0 GiB", "ETA 1m 5s", "25.0 MiB/s",
                                        "qwen2.5-0.5b-instruct-q4_k_m.gguf"};

TEST(FitProgressLine, AWideTerminalShowsEverythingWithTheWidestBar) {
  const std::string line = FitProgressLine(0.42, kDetails, 120);
  EXPECT_EQ(line.rfind("[############------------------] ", 0), 0u) << line;
  EXPECT_NE(line.find("qwen2.5-0.5b-instruct-q4_k_m.gguf"), std::string::npos) << line;
}

TEST(FitProgressLine, NarrowTerminalsNeverWrap) {
  for (int columns = 1; columns <= 120; ++columns) {
    const std::string line = FitProgressLine(0.42, kDetails, columns);
    EXPECT_LT(DisplayWidth(line), static_cast<std::size_t>(std::max(columns, 2))) << columns;
  }
}

TEST(FitProgressLine, TheNameShortensFromTheFrontThenDetailsGoFromTheEnd) {
  const std::string fifty = FitProgressLine(0.42, kDetails, 50);
  EXPECT_NE(fifty.find("42%"), std::string::npos) << fifty;
  EXPECT_NE(fifty.find("ETA 1m 5s"), std::string::npos) << fifty;
  const std::string eighty = FitProgressLine(0.42, kDetails, 80);
  EXPECT_NE(eighty.find("…"), std::string::npos) << eighty;
  EXPECT_NE(eighty.find("q4_k_m.gguf"), std::string::npos) << eighty;
  const std::string tiny = FitProgressLine(0.42, kDetails, 12);
  EXPECT_EQ(tiny, " 42%");
}

}  // namespace
}  // namespace hfd::ctl
