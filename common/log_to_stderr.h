// For command-line tools whose stdout carries their output (text, JSON lines, tables): the
// libraries' log lines (spdlog's default logger, stdout unless told) go to stderr instead.
#pragma once

#include <string>

namespace hfd {

void LogToStderr(const std::string& program);

}  // namespace hfd
