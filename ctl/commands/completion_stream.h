// Runs one `generate` or `chat` call and streams it: the completion text goes to stdout
// as `token` notifications arrive (nothing else does, so scripts can capture it), then
// a newline; progress and a final statistics line go to stderr. With --json, stdout gets
// one JSON line per notification ({"token": {"text", "tokens"}}, {"loading": ...}, ...)
// and then {"result": {...}}; errors end the stream as {"error": {...}}.
#pragma once

#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ctl/session.h"

namespace hfd::ctl {

struct StreamOptions {
  bool quiet = false;  // no progress and no statistics line
  // A harmony model's (gpt-oss) reasoning, its `thinking` notifications, goes to stdout
  // before the answer (with --json: {"thinking": {"text"}} lines); else it is not shown.
  bool show_thinking = false;
};

// Adds --show-thinking to a command that streams a chat answer.
void AddShowThinkingFlag(CLI::App& sub, StreamOptions& options);

// Calls `method` with `params`. On failure the session has already printed the error
// (after whatever text had arrived) and holds the exit code.
Result<nlohmann::json> StreamCompletion(Session& session, const std::string& method,
                                        const nlohmann::json& params, const StreamOptions& options);

// "5 prompt tokens (3 cached) · 48 tokens · 95.3 tokens/s · first token 35 ms · stop: length"
std::string CompletionStatistics(const nlohmann::json& result);

}  // namespace hfd::ctl
