#include "common/log_to_stderr.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace hfd {

void LogToStderr(const std::string& program) {
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>(program, std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

}  // namespace hfd
