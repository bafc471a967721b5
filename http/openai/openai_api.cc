#include "http/openai/openai_api.h"

#include <memory>

#include "http/completion_call.h"
#include "http/model_catalog.h"
#include "http/openai/embeddings.h"
#include "http/openai/errors.h"
#include "http/openai/requests.h"
#include "http/openai/responses.h"

namespace hfd::http::openai {
namespace {

constexpr const char* kApi = "openai";

Reply Models(daemon::DaemonServices& services, const Request& request) {
  Result<std::vector<CatalogEntry>> models = ListModels(*services.service, request.caller);
  if (!models.ok()) return ErrorReply(models.status());
  nlohmann::json data = nlohmann::json::array();
  for (const CatalogEntry& m : *models) {
    const size_t slash = m.repo_id.find('/');
    data.push_back(
        {{"id", m.id},
         {"object", "model"},
         {"created", m.modified},
         {"owned_by", slash == std::string::npos ? "local" : m.repo_id.substr(0, slash)}});
  }
  return JsonReply(200, nlohmann::json{{"object", "list"}, {"data", data}}.dump());
}

Reply Complete(daemon::DaemonServices& services, const Request& request, bool chat) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  Result<ParsedCompletion> parsed = !body.ok() ? Result<ParsedCompletion>(body.status())
                                    : chat     ? ParseChatCompletion(*body)
                                               : ParseTextCompletion(*body);
  if (!parsed.ok()) {
    const std::string model = body.ok() ? body->value("model", std::string()) : std::string();
    RecordRefusedCompletion(services, request, kApi, model, parsed.status());
    return ErrorReply(parsed.status());
  }
  parsed->request.target = ModelTarget(services, request, parsed->model);
  auto shape = std::make_shared<ResponseShape>(chat, parsed->model, parsed->include_usage,
                                               parsed->request.top_logprobs.has_value());
  CompletionWriters writers;
  const bool stream = parsed->stream;
  if (stream) {
    writers.on_text = [shape](Exchange& e, std::string_view text,
                              std::span<const runtime::TokenLogprobs> logprobs) {
      e.Write(shape->TextEvent(text, logprobs));
    };
    // The legacy text completion has no place for it: its text is the final answer.
    if (chat) {
      writers.on_thinking = [shape](Exchange& e, std::string_view thinking) {
        e.Write(shape->ThinkingEvent(thinking));
      };
    }
    writers.on_done = [shape](Exchange& e, const serve::Completion& c) {
      e.Write(shape->FinalEvents(c));
    };
  } else {
    writers.on_done = [shape](Exchange& e, const serve::Completion& c) {
      e.Write(shape->Whole(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    };
  }
  writers.on_late_error = [](Exchange& e, const Status& error) {
    e.Write(ResponseShape::ErrorEvent(error));
  };
  std::shared_ptr<Exchange> exchange = StartCompletion(
      services, request, std::move(parsed->request), kApi, stream, std::move(writers));
  if (!(stream ? exchange->WaitCommittedOrEnded() : exchange->WaitEnded())) return HungUp();
  if (Status error = exchange->error(); !error.ok()) return ErrorReply(error);
  if (stream) return StreamReply(exchange, "text/event-stream");
  return JsonReply(200, exchange->TakeBody());
}

}  // namespace

void AddRoutes(Router& router, daemon::DaemonServices& services) {
  router.SetErrorShape("/v1", ErrorReply);
  router.Add("GET", "/v1/models",
             [&services](const Request& request) { return Models(services, request); });
  router.Add("POST", "/v1/chat/completions",
             [&services](const Request& request) { return Complete(services, request, true); });
  router.Add("POST", "/v1/completions",
             [&services](const Request& request) { return Complete(services, request, false); });
  router.Add("POST", "/v1/embeddings",
             [&services](const Request& request) { return Embeddings(services, request); });
}

}  // namespace hfd::http::openai
