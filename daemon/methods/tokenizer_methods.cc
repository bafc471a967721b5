// `tokenize`, `detokenize` and `render_chat`: a model's tokenizer and chat template
// behind the socket, for checking what the engine will see. The serving core reads them
// (never weights) on its own threads and caches them with the ones loads use.
#include <memory>

#include "daemon/methods/methods.h"
#include "daemon/methods/serve_params.h"
#include "proto/json_msgpack.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::size_t kMaxModelBytes = 4096;

// Replies with `make(value)` or the error.
template <typename T, typename Make>
std::function<void(Result<T>)> ReplyWith(const std::shared_ptr<RequestContext>& ctx, Make make) {
  return [ctx, make](Result<T> r) {
    if (!r.ok()) return ctx->ReplyError(r.status());
    ctx->Reply(make(*r));
  };
}

// `model`, with the files the client passed for it.
Result<serve::ModelRequest> Target(RequestContext& ctx) {
  serve::ModelRequest target;
  HFD_ASSIGN_OR_RETURN(target.model, proto::RequiredString(ctx.params(), "model", kMaxModelBytes));
  HFD_ASSIGN_OR_RETURN(target.files, TakePassedModelFiles(ctx, target.model));
  return target;
}

Status Tokenize(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  const nlohmann::json& params = ctx->params();
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(params, {"model", "text", "add_special"}));
  HFD_ASSIGN_OR_RETURN(serve::ModelRequest target, Target(*ctx));
  HFD_ASSIGN_OR_RETURN(std::string text, proto::RequiredString(params, "text"));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> add_special, proto::OptionalBool(params, "add_special"));
  services.service->Tokenize(services.policy.CallerOf(ctx->peer()), std::move(target), text,
                             add_special.value_or(true),
                             ReplyWith<std::vector<int32_t>>(ctx, [](const auto& ids) {
                               return nlohmann::json{{"ids", ids}};
                             }));
  return Status::Ok();
}

Status Detokenize(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  const nlohmann::json& params = ctx->params();
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(params, {"model", "ids", "skip_special"}));
  HFD_ASSIGN_OR_RETURN(serve::ModelRequest target, Target(*ctx));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> skip_special,
                       proto::OptionalBool(params, "skip_special"));
  auto it = params.find("ids");
  if (it == params.end() || !it->is_array()) {
    return InvalidArgument("param 'ids' must be an array of token ids");
  }
  std::vector<int64_t> ids;
  ids.reserve(it->size());
  for (const nlohmann::json& id : *it) {
    if (!id.is_number_integer()) {
      return InvalidArgument("token id " + proto::DumpJson(id) + " is not an integer");
    }
    ids.push_back(id.get<int64_t>());
  }
  services.service->Detokenize(services.policy.CallerOf(ctx->peer()), std::move(target),
                               std::move(ids), skip_special.value_or(false),
                               ReplyWith<std::string>(ctx, [](const std::string& text) {
                                 return nlohmann::json{{"text", text}};
                               }));
  return Status::Ok();
}

Status RenderChat(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  const nlohmann::json& params = ctx->params();
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(
      params, {"model", "messages", "add_generation_prompt", "variables"}));
  HFD_ASSIGN_OR_RETURN(serve::ModelRequest target, Target(*ctx));
  auto messages = params.find("messages");
  if (messages == params.end() || !messages->is_array()) {
    return InvalidArgument("param 'messages' must be an array of {role, content} objects");
  }
  HFD_ASSIGN_OR_RETURN(std::optional<bool> generation_prompt,
                       proto::OptionalBool(params, "add_generation_prompt"));
  auto variables = params.find("variables");
  if (variables != params.end() && !variables->is_object() && !variables->is_null()) {
    return InvalidArgument("param 'variables' must be an object");
  }
  services.service->RenderChat(services.policy.CallerOf(ctx->peer()), std::move(target), *messages,
                               generation_prompt.value_or(true),
                               variables == params.end() ? nlohmann::json() : *variables,
                               ReplyWith<std::string>(ctx, [](const std::string& prompt) {
                                 return nlohmann::json{{"prompt", prompt}};
                               }));
  return Status::Ok();
}

}  // namespace

Status RegisterTokenizerMethods(MethodRegistry& registry, DaemonServices& services) {
  using Fn = Status (*)(DaemonServices&, const std::shared_ptr<RequestContext>&);
  const auto add = [&](const char* name, Fn fn) {
    return registry.Add({name, serve::Rights::kUse, Execution::kLoop,
                         [&services, fn](const std::shared_ptr<RequestContext>& ctx) {
                           if (Status s = fn(services, ctx); !s.ok()) ctx->ReplyError(s);
                         }});
  };
  HFD_RETURN_IF_ERROR(add("tokenize", Tokenize));
  HFD_RETURN_IF_ERROR(add("detokenize", Detokenize));
  return add("render_chat", RenderChat);
}

}  // namespace hfd::daemon
