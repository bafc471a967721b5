#include "http/completion_call.h"

#include <chrono>

#include "daemon/methods/serve_telemetry.h"

namespace hfd::http {

std::string ModelNameOf(std::string_view name) {
  for (std::string_view host : {"hf.co/", "huggingface.co/"}) {
    if (name.substr(0, host.size()) == host) {
      name.remove_prefix(host.size());
      break;
    }
  }
  constexpr std::string_view kLatest = ":latest";
  if (name.size() > kLatest.size() && name.substr(name.size() - kLatest.size()) == kLatest) {
    name.remove_suffix(kLatest.size());
  }
  return std::string(name);
}

serve::ModelRequest ModelTarget(const daemon::DaemonServices& services, const Request& request,
                                std::string_view model) {
  serve::ModelRequest target;
  target.model = ModelNameOf(model);
  target.pull = services.config.http.auto_pull && request.caller.rights >= serve::Rights::kManage;
  return target;
}

Status SetReasoningEffort(const std::string& effort, const char* field,
                          serve::CompletionRequest& completion) {
  if (effort != "low" && effort != "medium" && effort != "high") {
    return InvalidArgument("'" + std::string(field) +
                           "' must be \"low\", \"medium\" or \"high\", not \"" +
                           effort.substr(0, 64) + "\"");
  }
  if (!completion.variables.is_object()) completion.variables = nlohmann::json::object();
  completion.variables["reasoning_effort"] = effort;
  return Status::Ok();
}

void RecordRefusedCompletion(daemon::DaemonServices& services, const Request& request,
                             std::string api, const std::string& model, const Status& error) {
  daemon::CompletionRecord record;
  record.api = std::move(api);
  record.start = std::chrono::system_clock::now();
  record.received = std::chrono::steady_clock::now();
  record.owner = request.caller.uid;
  record.model = ModelNameOf(model.substr(0, 4096));
  record.error = error;
  services.serve_telemetry->RecordCompletion(record);
}

std::shared_ptr<Exchange> StartCompletion(daemon::DaemonServices& services, const Request& request,
                                          serve::CompletionRequest completion, std::string api,
                                          bool stream, CompletionWriters writers) {
  auto exchange = std::make_shared<Exchange>(request.client_fd);
  auto record = std::make_shared<daemon::CompletionRecord>();
  record->api = std::move(api);
  record->start = std::chrono::system_clock::now();
  record->received = std::chrono::steady_clock::now();
  record->owner = request.caller.uid;
  record->model = completion.target.model;
  serve::ServeEvents events;
  events.on_backend = [record](std::string_view backend) { record->backend = backend; };
  if (stream) {
    events.on_queued = [exchange](int32_t) { exchange->Commit(); };
    events.on_text = [exchange, on_text = writers.on_text](
                         std::string_view text, int32_t,
                         std::span<const runtime::TokenLogprobs> logprobs) {
      on_text(*exchange, text, logprobs);
    };
    if (writers.on_thinking) {
      events.on_thinking = [exchange, on_thinking = writers.on_thinking](std::string_view text) {
        on_thinking(*exchange, text);
      };
    }
  }
  std::shared_ptr<daemon::ServeTelemetry> telemetry = services.serve_telemetry;
  services.service->Complete(
      request.caller, std::move(completion), std::move(events), exchange->cancel_flag(),
      [exchange, record, telemetry, writers = std::move(writers)](Result<serve::Completion> c) {
        if (!c.ok()) {
          record->error = c.status();
          telemetry->RecordCompletion(*record);
          if (!exchange->committed()) return exchange->Fail(c.status());
          writers.on_late_error(*exchange, c.status());
          return exchange->End();
        }
        record->output = c->text;
        record->stop_reason = c->stop_reason;
        record->prompt_tokens = c->prompt_tokens;
        record->completion_tokens = c->completion_tokens;
        telemetry->RecordCompletion(*record);
        writers.on_done(*exchange, *c);
        exchange->End();
      });
  return exchange;
}

}  // namespace hfd::http
