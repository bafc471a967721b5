#include "http/ollama/ollama_api.h"

#include <chrono>
#include <memory>

#include "daemon/methods/hub_access.h"
#include "http/completion_call.h"
#include "http/model_catalog.h"
#include "http/ollama/embed.h"
#include "http/ollama/options.h"
#include "http/ollama/replies.h"
#include "hub/file_selection.h"
#include "proto/params.h"

namespace hfd::http::ollama {
namespace {

constexpr const char* kApi = "ollama";
constexpr const char* kNdjson = "application/x-ndjson";

Reply Json(const nlohmann::json& body) { return JsonReply(200, body.dump()); }

Reply Version(const Request&) { return Json({{"version", HFD_VERSION}}); }

Reply Tags(daemon::DaemonServices& services, const Request& request) {
  Result<std::vector<CatalogEntry>> models = ListModels(*services.service, request.caller);
  if (!models.ok()) return ErrorReply(models.status());
  nlohmann::json out = nlohmann::json::array();
  for (const CatalogEntry& m : *models) {
    out.push_back({{"name", m.id},
                   {"model", m.id},
                   {"modified_at", Timestamp(m.modified)},
                   {"size", m.size},
                   {"digest", m.commit},
                   {"details", Details(m.quant)}});
  }
  return Json({{"models", out}});
}

Reply Ps(daemon::DaemonServices& services, const Request& request) {
  Result<serve::PsReport> ps = services.service->Ps(request.caller);
  if (!ps.ok()) return ErrorReply(ps.status());
  nlohmann::json out = nlohmann::json::array();
  const auto now = std::chrono::system_clock::now();
  for (const serve::ResidentInfo& m : ps->models) {
    // A model that never expires (or is busy) gets Ollama's "far future".
    const auto expires =
        m.expires_in_seconds
            ? now + std::chrono::seconds(static_cast<std::int64_t>(*m.expires_in_seconds))
            : now + std::chrono::hours(24 * 365 * 100);
    out.push_back({{"name", m.name},
                   {"model", m.name},
                   {"size", m.memory_bytes},
                   {"digest", m.commit},
                   {"details", Details(hub::QuantOfGgufName(m.path.filename().string()))},
                   {"expires_at", Timestamp(std::chrono::system_clock::to_time_t(expires))},
                   {"size_vram", m.backend == "cpu" ? 0 : m.memory_bytes},
                   {"context_length", m.ctx},
                   {"backend", m.backend}});
  }
  return Json({{"models", out}});
}

Reply Show(daemon::DaemonServices& services, const Request& request) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorReply(body.status());
  Result<std::string> model = ModelField(*body);
  if (!model.ok()) return ErrorReply(model.status());
  Result<std::vector<CatalogEntry>> models = ListModels(*services.service, request.caller);
  if (!models.ok()) return ErrorReply(models.status());
  for (const CatalogEntry& m : *models) {
    if (m.id != *model && m.repo_id != *model) continue;
    return Json({{"modelfile", ""},
                 {"parameters", ""},
                 {"template", ""},
                 {"details", Details(m.quant)},
                 {"model_info", {{"general.name", m.id}}},
                 {"capabilities", {"completion"}},
                 {"modified_at", Timestamp(m.modified)}});
  }
  return ErrorReply(NotFound("model '" + *model + "' not found; run `hfctl pull " + *model +
                             "` (or POST /api/pull) first"));
}

Reply Delete(daemon::DaemonServices& services, const Request& request) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorReply(body.status());
  Result<std::string> model = ModelField(*body);
  if (!model.ok()) return ErrorReply(model.status());
  // As Ollama's delete does: a resident model using the files is unloaded first.
  Result<serve::RemoveAnswer> removed =
      services.service->Remove(request.caller, *model, /*force=*/true);
  if (!removed.ok()) return ErrorReply(removed.status());
  return JsonReply(200, "");
}

Reply Pull(daemon::DaemonServices& services, const Request& request) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorReply(body.status());
  Result<std::string> model = ModelField(*body);
  if (!model.ok()) return ErrorReply(model.status());
  Result<hub::ModelRef> ref = hub::ParseModelRef(*model);
  if (!ref.ok()) return ErrorReply(ref.status());
  Result<std::optional<bool>> stream_field = proto::OptionalBool(*body, "stream");
  if (!stream_field.ok()) return ErrorReply(stream_field.status());
  const bool stream = stream_field->value_or(true);
  auto exchange = std::make_shared<Exchange>(request.client_fd);
  serve::ServeEvents events;
  auto meter = std::make_shared<daemon::DownloadMeter>(services.metrics);
  events.on_progress = [exchange, meter, stream](const hub::PullProgress& p) {
    meter->Observe(p);
    if (!stream) return;
    if (p.phase == hub::PullProgress::Phase::kDownloading) {
      exchange->Write(Line({{"status", "pulling " + p.file},
                            {"digest", p.file},
                            {"total", p.file_total},
                            {"completed", p.file_bytes}}));
    } else if (p.phase == hub::PullProgress::Phase::kResolving) {
      exchange->Write(Line({{"status", "pulling manifest"}}));
    }
  };
  services.service->Pull(
      request.caller, {*ref, {}, false}, std::move(events), exchange->cancel_flag(),
      [exchange](const Result<serve::PullAnswer>& answer) {
        if (!answer.ok() && !exchange->committed()) {
          return exchange->Fail(answer.status());
        }
        exchange->Write(answer.ok() ? Line({{"status", "success"}})
                                    : Line({{"error", answer.status().message()}}));
        exchange->End();
      });
  if (!(stream ? exchange->WaitCommittedOrEnded() : exchange->WaitEnded())) return HungUp();
  if (Status error = exchange->error(); !error.ok()) return ErrorReply(error);
  if (stream) return StreamReply(exchange, kNdjson);
  return JsonReply(200, exchange->TakeBody());
}

// An empty prompt (no messages) only loads the model; with keep_alive 0 it unloads it.
Reply LoadOrUnload(daemon::DaemonServices& services, const Request& request,
                   serve::ModelRequest target, const std::string& name, bool chat) {
  nlohmann::json done = Piece(name, chat, "");
  done["done"] = true;
  if (target.options.keep_alive_seconds == 0.0) {
    Result<int> unloaded = services.service->Unload(request.caller, target.model);
    if (!unloaded.ok() && unloaded.status().code() != ErrorCode::kNotFound) {
      return ErrorReply(unloaded.status());
    }
    done["done_reason"] = "unload";
    return Json(done);
  }
  auto exchange = std::make_shared<Exchange>(request.client_fd);
  services.service->Load(request.caller, std::move(target), {}, exchange->cancel_flag(),
                         [exchange](const Result<serve::ResidentInfo>& info) {
                           if (!info.ok()) return exchange->Fail(info.status());
                           exchange->End();
                         });
  if (!exchange->WaitEnded()) return HungUp();
  if (Status error = exchange->error(); !error.ok()) return ErrorReply(error);
  done["done_reason"] = "load";
  return Json(done);
}

Reply Complete(daemon::DaemonServices& services, const Request& request, bool chat) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  const std::string raw_name =
      body.ok() && (*body)["model"].is_string() ? (*body)["model"].get<std::string>() : "";
  serve::CompletionRequest completion;
  std::optional<double> keep_alive;
  bool stream = true;
  bool empty = false;
  bool think = true;  // the reply carries a reasoning model's thinking
  const auto parse = [&]() -> Status {
    HFD_RETURN_IF_ERROR(body.status());
    HFD_ASSIGN_OR_RETURN(std::string model, ModelField(*body));
    completion.target = ModelTarget(services, request, model);
    HFD_ASSIGN_OR_RETURN(keep_alive, KeepAlive(*body));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> s, proto::OptionalBool(*body, "stream"));
    stream = s.value_or(true);
    HFD_RETURN_IF_ERROR(ApplyOptions(*body, completion));
    HFD_ASSIGN_OR_RETURN(think, ApplyThink(*body, completion));
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> system,
                         proto::OptionalString(*body, "system", 1 << 20));
    nlohmann::json messages = nlohmann::json::array();
    if (system && !system->empty()) messages.push_back({{"role", "system"}, {"content", *system}});
    if (chat) {
      auto it = body->find("messages");
      if (it != body->end() && !it->is_null() && !it->is_array()) {
        return InvalidArgument("'messages' must be an array of {role, content}");
      }
      if (it != body->end() && it->is_array()) {
        for (const nlohmann::json& m : *it) {
          if (!m.is_object() || !m.value("role", nlohmann::json()).is_string() ||
              !m.value("content", nlohmann::json("")).is_string()) {
            return InvalidArgument("each message must be {role, content} with strings");
          }
          messages.push_back({{"role", m["role"]}, {"content", m.value("content", "")}});
        }
      }
      empty = messages.empty();
      completion.chat = true;
      completion.messages = std::move(messages);
      return Status::Ok();
    }
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> prompt,
                         proto::OptionalString(*body, "prompt", 64 << 20));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> raw, proto::OptionalBool(*body, "raw"));
    empty = prompt.value_or("").empty();
    if (raw.value_or(false)) {
      completion.prompt = prompt.value_or("");
      return Status::Ok();
    }
    // Ollama puts a generate prompt through the model's template as a user turn.
    messages.push_back({{"role", "user"}, {"content", prompt.value_or("")}});
    completion.chat = true;
    completion.messages = std::move(messages);
    return Status::Ok();
  };
  if (Status s = parse(); !s.ok()) {
    RecordRefusedCompletion(services, request, kApi, raw_name, s);
    return ErrorReply(s);
  }
  std::string notice;
  if (keep_alive && request.caller.rights >= serve::Rights::kManage) {
    completion.target.options.keep_alive_seconds = *keep_alive;
  } else if (keep_alive) {
    notice = "keep_alive was ignored: setting it needs the 'manage' level";
  }
  if (empty) {
    if (keep_alive && *keep_alive == 0 && notice.empty()) {
      completion.target.options.keep_alive_seconds = 0.0;
    }
    Reply reply = LoadOrUnload(services, request, completion.target, raw_name, chat);
    return reply;
  }
  CompletionWriters writers;
  if (stream) {
    writers.on_text = [raw_name, chat](Exchange& e, std::string_view text,
                                       std::span<const runtime::TokenLogprobs>) {
      e.Write(Line(Piece(raw_name, chat, text)));
    };
    if (think) {
      writers.on_thinking = [raw_name, chat](Exchange& e, std::string_view thinking) {
        e.Write(Line(ThinkingPiece(raw_name, chat, thinking)));
      };
    }
  }
  writers.on_done = [raw_name, chat, stream, think, notice](Exchange& e,
                                                            const serve::Completion& c) {
    nlohmann::json last = Final(raw_name, chat, c, stream ? "" : c.text);
    if (!stream && think && !c.thinking.empty()) AddThinking(last, chat, c.thinking);
    if (!notice.empty()) last["notice"] = notice;
    e.Write(stream ? Line(last)
                   : last.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  writers.on_late_error = [](Exchange& e, const Status& error) {
    e.Write(Line({{"error", error.message()}}));
  };
  std::shared_ptr<Exchange> exchange =
      StartCompletion(services, request, std::move(completion), kApi, stream, std::move(writers));
  if (!(stream ? exchange->WaitCommittedOrEnded() : exchange->WaitEnded())) return HungUp();
  if (Status error = exchange->error(); !error.ok()) return ErrorReply(error);
  if (stream) return StreamReply(exchange, kNdjson);
  return JsonReply(200, exchange->TakeBody());
}

}  // namespace

void AddRoutes(Router& router, daemon::DaemonServices& services) {
  router.SetErrorShape("/api", ErrorReply);
  router.Add("GET", "/api/version", Version);
  router.Add("GET", "/api/tags", [&services](const Request& r) { return Tags(services, r); });
  router.Add("GET", "/api/ps", [&services](const Request& r) { return Ps(services, r); });
  router.Add("POST", "/api/show", [&services](const Request& r) { return Show(services, r); });
  router.Add("POST", "/api/pull", [&services](const Request& r) { return Pull(services, r); });
  router.Add("DELETE", "/api/delete",
             [&services](const Request& r) { return Delete(services, r); });
  router.Add("POST", "/api/generate",
             [&services](const Request& r) { return Complete(services, r, false); });
  router.Add("POST", "/api/chat",
             [&services](const Request& r) { return Complete(services, r, true); });
  router.Add("POST", "/api/embed", [&services](const Request& r) { return Embed(services, r); });
}

}  // namespace hfd::http::ollama
