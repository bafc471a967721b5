#include "daemon/logging.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace hfd::daemon {
namespace {

// $JOURNAL_STREAM is "device:inode" of the journal stream systemd connected stderr to.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  return ::fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

}  // namespace

bool RunningUnderSystemd() { return StderrIsJournal() || std::getenv("INVOCATION_ID") != nullptr; }

Status SetUpLogging(const std::string& target, const std::string& level_name) {
  const spdlog::level::level_enum level = spdlog::level::from_str(level_name);
  if (level == spdlog::level::off && level_name != "off") {
    return InvalidArgument(
        "log level must be trace, debug, info, warn, error, critical or "
        "off, not '" +
        level_name + "'");
  }
  const bool journal = target == "journal" || (target == "auto" && RunningUnderSystemd());
  std::shared_ptr<spdlog::logger> logger;
  if (journal) {
    logger = std::make_shared<spdlog::logger>(
        "hfd", std::make_shared<spdlog::sinks::systemd_sink_mt>("hfd"));
    logger->set_pattern("%v");  // the journal adds time, priority and unit itself
  } else {
    logger = std::make_shared<spdlog::logger>(
        "hfd", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace hfd::daemon
