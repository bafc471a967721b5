// What a serving call (load, generate, chat) reports while it works, shown on stderr so
// stdout carries only results: pull progress (a bar on a terminal), the `loading` phases
// and the `queued` position. With --json each notification is instead one JSON line on
// stdout, {"<method>": params}. Single-threaded: one per call.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ctl/commands/pull_progress.h"
#include "ctl/session.h"

namespace hfd::ctl {

// Prints `value` as one line of compact JSON on stdout and flushes it (JSON lines).
void PrintJsonLine(const nlohmann::json& value);

class ServingProgress {
 public:
  // `quiet`: show nothing (with --json the lines are still printed).
  ServingProgress(bool json, bool quiet);

  // Shows `method`'s notification when it is progress, loading or queued; returns false
  // for other methods.
  bool Handle(const std::string& method, const nlohmann::json& params);
  // Erases a status line still on the terminal (before other output or an error).
  void Clear();

 private:
  void Status(const std::string& text);

  bool json_;
  bool quiet_;
  bool terminal_;
  bool status_shown_ = false;
  PullProgressPrinter pull_;
};

// Calls `method` on `session`, showing its notifications with `progress`, which is
// cleared before an error is printed and when the call ends.
Result<nlohmann::json> CallShowingProgress(Session& session, const std::string& method,
                                           const nlohmann::json& params, ServingProgress& progress);

}  // namespace hfd::ctl
