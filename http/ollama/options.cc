#include "http/ollama/options.h"

#include "common/units.h"
#include "http/completion_call.h"
#include "proto/params.h"

namespace hfd::http::ollama {

Status ApplyOptions(const nlohmann::json& body, serve::CompletionRequest& request) {
  sampling::SamplingParams& p = request.sampling;
  p.max_tokens = -1;
  auto it = body.find("options");
  if (it == body.end() || it->is_null()) return sampling::Validate(p);
  if (!it->is_object()) return InvalidArgument("'options' must be an object");
  const nlohmann::json& o = *it;
  const auto number = [&o](const char* name, float& field) -> Status {
    HFD_ASSIGN_OR_RETURN(std::optional<double> v, proto::OptionalNumber(o, name));
    if (v) field = static_cast<float>(*v);
    return Status::Ok();
  };
  const auto integer = [&o](const char* name, int32_t& field) -> Status {
    HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, proto::OptionalInt(o, name));
    if (v && (*v < INT32_MIN || *v > INT32_MAX)) {
      return InvalidArgument("option '" + std::string(name) + "' is out of range");
    }
    if (v) field = static_cast<int32_t>(*v);
    return Status::Ok();
  };
  HFD_RETURN_IF_ERROR(number("temperature", p.temperature));
  HFD_RETURN_IF_ERROR(number("top_p", p.top_p));
  HFD_RETURN_IF_ERROR(number("min_p", p.min_p));
  HFD_RETURN_IF_ERROR(number("repeat_penalty", p.repetition_penalty));
  HFD_RETURN_IF_ERROR(number("presence_penalty", p.presence_penalty));
  HFD_RETURN_IF_ERROR(number("frequency_penalty", p.frequency_penalty));
  HFD_RETURN_IF_ERROR(integer("top_k", p.top_k));
  HFD_RETURN_IF_ERROR(integer("num_predict", p.max_tokens));
  HFD_RETURN_IF_ERROR(integer("repeat_last_n", p.penalty_last_n));
  if (p.max_tokens < -1) p.max_tokens = -1;  // Ollama: -2 means "fill the context" too
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> seed, proto::OptionalInt(o, "seed"));
  if (seed) p.seed = static_cast<std::uint64_t>(*seed);
  if (auto stop = o.find("stop"); stop != o.end() && !stop->is_null()) {
    const nlohmann::json list = stop->is_string() ? nlohmann::json::array({*stop}) : *stop;
    if (!list.is_array()) return InvalidArgument("option 'stop' must be a list of strings");
    for (const nlohmann::json& s : list) {
      if (!s.is_string()) return InvalidArgument("option 'stop' must be a list of strings");
      p.stop.push_back(s.get<std::string>());
    }
  }
  int32_t num_ctx = 0;
  HFD_RETURN_IF_ERROR(integer("num_ctx", num_ctx));
  if (num_ctx != 0) {
    if (num_ctx < 16) return InvalidArgument("option 'num_ctx' must be at least 16");
    request.target.options.ctx = num_ctx;
  }
  return sampling::Validate(p);
}

Result<bool> ApplyThink(const nlohmann::json& body, serve::CompletionRequest& request) {
  auto it = body.find("think");
  if (it == body.end() || it->is_null()) return true;
  if (it->is_boolean()) return it->get<bool>();
  if (!it->is_string()) {
    return InvalidArgument("'think' must be true, false, \"low\", \"medium\" or \"high\"");
  }
  HFD_RETURN_IF_ERROR(SetReasoningEffort(it->get<std::string>(), "think", request));
  return true;
}

Result<std::optional<double>> KeepAlive(const nlohmann::json& body) {
  auto it = body.find("keep_alive");
  if (it == body.end() || it->is_null()) return std::optional<double>();
  if (it->is_number()) return std::optional<double>(it->get<double>());
  if (it->is_string()) {
    HFD_ASSIGN_OR_RETURN(double seconds,
                         ParseDurationSeconds(it->get<std::string>(), "keep_alive"));
    return std::optional<double>(seconds);
  }
  return InvalidArgument("'keep_alive' must be a number of seconds or a duration such as \"5m\"");
}

Result<std::string> ModelField(const nlohmann::json& body) {
  for (const char* key : {"model", "name"}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > 4096) {
      return InvalidArgument("'" + std::string(key) + "' must be a model name");
    }
    return ModelNameOf(it->get<std::string>());
  }
  return InvalidArgument("'model' is required");
}

}  // namespace hfd::http::ollama
