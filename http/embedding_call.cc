#include "http/embedding_call.h"

#include <chrono>
#include <memory>

#include "daemon/methods/serve_telemetry.h"
#include "http/completion_call.h"
#include "http/exchange.h"

namespace hfd::http {

Result<std::vector<std::string>> EmbeddingInputs(const nlohmann::json& body) {
  const auto input = body.find("input");
  std::vector<std::string> texts;
  if (input != body.end() && input->is_string()) {
    texts.push_back(input->get<std::string>());
    return texts;
  }
  if (input == body.end() || !input->is_array() || input->empty()) {
    return InvalidArgument("'input' must be a string or a non-empty array of strings");
  }
  for (const nlohmann::json& text : *input) {
    if (!text.is_string()) {
      return InvalidArgument("'input' must hold strings (token arrays are not supported)");
    }
    texts.push_back(text.get<std::string>());
  }
  return texts;
}

Reply RunEmbedding(daemon::DaemonServices& services, const Request& request,
                   Result<serve::EmbedRequest> embed, const std::string& model, std::string api,
                   const EmbeddingShape& shape) {
  auto record = std::make_shared<daemon::CompletionRecord>();
  record->api = std::move(api);
  record->start = std::chrono::system_clock::now();
  record->received = std::chrono::steady_clock::now();
  record->owner = request.caller.uid;
  record->model = ModelNameOf(model.substr(0, 4096));
  std::shared_ptr<daemon::ServeTelemetry> telemetry = services.serve_telemetry;
  if (!embed.ok()) {
    record->error = embed.status();
    telemetry->RecordEmbedding(*record);
    return shape.error(embed.status());
  }
  record->inputs = static_cast<int64_t>(embed->texts.size());
  auto exchange = std::make_shared<Exchange>(request.client_fd);
  serve::ServeEvents events;
  events.on_backend = [record](std::string_view backend) { record->backend = backend; };
  services.service->Embed(
      request.caller, std::move(embed).value(), std::move(events), exchange->cancel_flag(),
      [exchange, record, telemetry, body = shape.body](Result<serve::Embeddings> e) {
        if (!e.ok()) {
          record->error = e.status();
          telemetry->RecordEmbedding(*record);
          return exchange->Fail(e.status());
        }
        record->prompt_tokens = e->prompt_tokens;
        telemetry->RecordEmbedding(*record);
        exchange->Write(body(*e).dump());
        exchange->End();
      });
  if (!exchange->WaitEnded()) return HungUp();
  if (Status error = exchange->error(); !error.ok()) return shape.error(error);
  return JsonReply(200, exchange->TakeBody());
}

}  // namespace hfd::http
