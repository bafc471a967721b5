#include "ctl/commands/serving_progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "proto/json_msgpack.h"

namespace hfd::ctl {

void PrintJsonLine(const nlohmann::json& value) {
  std::fputs(proto::DumpJson(value).c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

ServingProgress::ServingProgress(bool json, bool quiet)
    : json_(json),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) != 0),
      pull_(PullProgressPrinter::ModeFor(json)) {}

bool ServingProgress::Handle(const std::string& method, const nlohmann::json& params) {
  if (method != "progress" && method != "loading" && method != "queued" && method != "notice") {
    return false;
  }
  if (json_) {
    nlohmann::json line = params;
    line.erase("msgid");
    PrintJsonLine({{method, line}});
    return true;
  }
  if (method == "notice") {  // shown even with --quiet: the answer differs from the ask
    Clear();
    std::fprintf(stderr, "hfctl: note: %s\n", params.value("message", "").c_str());
    std::fflush(stderr);
    return true;
  }
  if (quiet_) return true;
  if (method == "progress") {
    Clear();
    pull_.Update(params);
  } else if (method == "loading") {
    const std::string phase = params.value("phase", "");
    const std::string model = params.value("model", "");
    pull_.Finish();
    if (phase == "ready") {
      Clear();
    } else if (phase == "building") {
      const auto total = params.value("total", uint64_t{0});
      Status(fmt::format("loading {}: writing {} once ({}%; later loads map it)", model,
                         params.value("file", ""),
                         total == 0 ? 0 : params.value("bytes", uint64_t{0}) * 100 / total));
    } else {
      Status(fmt::format("{} {}...", phase, model));
    }
  } else {
    Status(fmt::format("waiting for a free slot: position {} in the queue",
                       params.value("position", 1)));
  }
  return true;
}

// A terminal gets one status line rewritten in place; a log gets one line per change.
void ServingProgress::Status(const std::string& text) {
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    status_shown_ = true;
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void ServingProgress::Clear() {
  pull_.Finish();
  if (!status_shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  status_shown_ = false;
}

Result<nlohmann::json> CallShowingProgress(Session& session, const std::string& method,
                                           const nlohmann::json& params,
                                           ServingProgress& progress) {
  const client::NotificationHandler on_notification =
      [&progress](const std::string& name, const nlohmann::json& p) { progress.Handle(name, p); };
  session.SetBeforeError([&progress] { progress.Clear(); });
  Result<nlohmann::json> result = session.Call(method, params, &on_notification);
  session.SetBeforeError(nullptr);
  progress.Clear();
  return result;
}

}  // namespace hfd::ctl
