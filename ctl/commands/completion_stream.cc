#include "ctl/commands/completion_stream.h"

#include <cstdio>

#include <fmt/format.h>

#include "ctl/commands/serving_progress.h"

namespace hfd::ctl {
namespace {

// Tracks what went to stdout, to end the completion with exactly one newline.
class TextSink {
 public:
  void Write(const std::string& text) {
    if (text.empty()) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    ends_with_newline_ = text.back() == '\n';
    wrote_ = true;
  }
  void EndLine() {
    if (wrote_ && !ends_with_newline_) std::fputc('\n', stdout);
    std::fflush(stdout);
    ends_with_newline_ = true;
  }

 private:
  bool wrote_ = false;
  bool ends_with_newline_ = false;
};

}  // namespace

void AddShowThinkingFlag(CLI::App& sub, StreamOptions& options) {
  sub.add_flag("--show-thinking", options.show_thinking,
               "Also show a reasoning model's thinking (gpt-oss's analysis channel), before "
               "its answer");
}

std::string CompletionStatistics(const nlohmann::json& result) {
  const nlohmann::json usage = result.value("usage", nlohmann::json::object());
  const nlohmann::json timings = result.value("timings", nlohmann::json::object());
  std::string prompt = Count(usage.value("prompt_tokens", 0), "prompt token", "prompt tokens");
  if (usage.value("cached_tokens", 0) > 0) {
    prompt += fmt::format(" ({} cached)", usage.value("cached_tokens", 0));
  }
  return fmt::format("{} · {} · {:.1f} tokens/s · first token {:.0f} ms · stop: {} · {}", prompt,
                     Count(usage.value("completion_tokens", 0), "token", "tokens"),
                     timings.value("tokens_per_second", 0.0), timings.value("ttft_ms", 0.0),
                     result.value("stop_reason", "?"), result.value("backend", "?"));
}

Result<nlohmann::json> StreamCompletion(Session& session, const std::string& method,
                                        const nlohmann::json& params,
                                        const StreamOptions& options) {
  const bool json = session.out().json();
  ServingProgress progress(json, options.quiet);
  TextSink text;
  bool thinking_open = false;  // thinking was written and the answer has not begun
  const client::NotificationHandler on_notification = [&](const std::string& name,
                                                          const nlohmann::json& p) {
    if (progress.Handle(name, p)) return;
    if (name == "thinking" && options.show_thinking) {
      if (json) {
        PrintJsonLine({{"thinking", {{"text", p.value("text", "")}}}});
        return;
      }
      progress.Clear();
      text.Write(p.value("text", ""));
      thinking_open = true;
      return;
    }
    if (name != "token") return;
    if (json) {
      PrintJsonLine({{"token", {{"text", p.value("text", "")}, {"tokens", p.value("tokens", 0)}}}});
      return;
    }
    progress.Clear();
    if (thinking_open) {  // a blank line between the thinking and the answer
      text.EndLine();
      text.Write("\n");
      thinking_open = false;
    }
    text.Write(p.value("text", ""));
  };
  // An error is printed after the text that came before it, on a line of its own.
  session.SetBeforeError([&] {
    progress.Clear();
    if (!json) text.EndLine();
  });
  Result<nlohmann::json> result = session.Call(method, params, &on_notification);
  session.SetBeforeError(nullptr);
  progress.Clear();
  if (json) {
    if (result.ok()) PrintJsonLine({{"result", *result}});
    return result;
  }
  text.EndLine();
  if (result.ok() && !options.quiet) {
    std::fprintf(stderr, "%s\n", CompletionStatistics(*result).c_str());
  }
  return result;
}

}  // namespace hfd::ctl
