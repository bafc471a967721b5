// The conversation loop of `hfctl run MODEL` (no prompt, stdin a terminal) and
// `hfctl chat MODEL`, like `ollama run`: a `>>> ` prompt with line editing and a saved
// history (repl/line_editor.h), answers streamed as they are generated, """ blocks for
// multi-line messages, /commands (/? lists them: /set parameter, /show info, /clear,
// /bye), Ctrl-D to quit, Ctrl-C cancels the answer being generated and stays in the chat.
// Each turn resends the whole conversation with `chat`, and the daemon reuses the KV cache
// for the part it has already seen, so only the new turn is prefilled. A model without a
// chat template (a base model) is run as plain completion instead: each line continues
// the text with `generate`. When stdin is not a terminal every line is one user message
// and no prompt is printed (scripted chats).
#pragma once

#include <nlohmann/json.hpp>

#include "ctl/commands/completion_stream.h"
#include "ctl/session.h"

namespace hfd::ctl {

struct ChatSetup {
  nlohmann::json load_params;     // `model` + load options: the model is loaded up front
  nlohmann::json request_params;  // `model` + load and generation options of each turn
  nlohmann::json messages = nlohmann::json::array();  // the conversation to start from
  StreamOptions stream;
};

// Runs the loop until /bye or the end of input; returns the exit code.
int RunInteractiveChat(Session& session, const ChatSetup& setup);

}  // namespace hfd::ctl
