// `tokenize`, `detokenize` and `render_chat`: a model's tokenizer and chat template
// behind the socket, for checking what the engine will see. Only the tokenizer and the
// template are loaded (never weights); they run on workers and are cached by path.
#include <memory>

#include "daemon/methods/methods.h"
#include "daemon/methods/tokenizer_cache.h"
#include "hub/hub_config.h"
#include "proto/json_msgpack.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::size_t kCachedModels = 4;
constexpr std::size_t kMaxModelBytes = 4096;

struct TokenizerState {
  std::filesystem::path hub_cache_dir;  // empty when the Hub settings could not be read
  ModelTextCache cache{kCachedModels};
};

Result<std::shared_ptr<const ModelText>> ModelFromParams(TokenizerState& state,
                                                         const nlohmann::json& params) {
  HFD_ASSIGN_OR_RETURN(std::string model, proto::RequiredString(params, "model", kMaxModelBytes));
  HFD_ASSIGN_OR_RETURN(std::filesystem::path source,
                       serve::ResolveModelSource(model, state.hub_cache_dir));
  return state.cache.Get(source);
}

Result<nlohmann::json> Tokenize(TokenizerState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model", "text", "add_special"}));
  HFD_ASSIGN_OR_RETURN(std::string text, proto::RequiredString(ctx.params(), "text"));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> add_special,
                       proto::OptionalBool(ctx.params(), "add_special"));
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<const ModelText> model,
                       ModelFromParams(state, ctx.params()));
  return nlohmann::json{{"ids", model->tokenizer->Encode(text, add_special.value_or(true))}};
}

Result<std::vector<int32_t>> IdsParam(const nlohmann::json& params, int32_t vocab_size) {
  auto it = params.find("ids");
  if (it == params.end() || !it->is_array()) {
    return InvalidArgument("param 'ids' must be an array of token ids");
  }
  std::vector<int32_t> ids;
  ids.reserve(it->size());
  for (const nlohmann::json& id : *it) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= vocab_size) {
      return InvalidArgument("token id " + proto::DumpJson(id) + " is not in the vocabulary (0.." +
                             std::to_string(vocab_size - 1) + ")");
    }
    ids.push_back(id.get<int32_t>());
  }
  return ids;
}

Result<nlohmann::json> Detokenize(TokenizerState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model", "ids", "skip_special"}));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> skip_special,
                       proto::OptionalBool(ctx.params(), "skip_special"));
  if (auto ids = ctx.params().find("ids"); ids == ctx.params().end() || !ids->is_array()) {
    return InvalidArgument("param 'ids' must be an array of token ids");
  }
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<const ModelText> model,
                       ModelFromParams(state, ctx.params()));
  HFD_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                       IdsParam(ctx.params(), model->tokenizer->vocab_size()));
  return nlohmann::json{{"text", model->tokenizer->Decode(ids, skip_special.value_or(false))}};
}

Result<nlohmann::json> RenderChat(TokenizerState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(
      ctx.params(), {"model", "messages", "add_generation_prompt", "variables"}));
  auto messages = ctx.params().find("messages");
  if (messages == ctx.params().end() || !messages->is_array()) {
    return InvalidArgument("param 'messages' must be an array of {role, content} objects");
  }
  HFD_ASSIGN_OR_RETURN(std::optional<bool> generation_prompt,
                       proto::OptionalBool(ctx.params(), "add_generation_prompt"));
  auto variables = ctx.params().find("variables");
  if (variables != ctx.params().end() && !variables->is_object() && !variables->is_null()) {
    return InvalidArgument("param 'variables' must be an object");
  }
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<const ModelText> model,
                       ModelFromParams(state, ctx.params()));
  if (!model->chat_template) return model->template_error;
  chat::RenderOptions options = model->render_options;
  options.add_generation_prompt = generation_prompt.value_or(true);
  if (variables != ctx.params().end() && variables->is_object()) options.extra = *variables;
  HFD_ASSIGN_OR_RETURN(std::string prompt, model->chat_template->Render(*messages, options));
  return nlohmann::json{{"prompt", prompt}};
}

}  // namespace

Status RegisterTokenizerMethods(MethodRegistry& registry, DaemonServices&) {
  auto state = std::make_shared<TokenizerState>();
  if (Result<hub::HubConfig> config = hub::HubConfigFromEnv(hub::Env::Process()); config.ok()) {
    state->hub_cache_dir = config->cache_dir;
  }
  const auto add = [&](const char* name,
                       Result<nlohmann::json> (*fn)(TokenizerState&, RequestContext&)) {
    return registry.Add({name, false, Execution::kWorker,
                         Sync([state, fn](RequestContext& ctx) { return fn(*state, ctx); })});
  };
  HFD_RETURN_IF_ERROR(add("tokenize", Tokenize));
  HFD_RETURN_IF_ERROR(add("detokenize", Detokenize));
  return add("render_chat", RenderChat);
}

}  // namespace hfd::daemon
