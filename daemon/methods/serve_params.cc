#include "daemon/methods/serve_params.h"

#include <algorithm>

#include "common/units.h"
#include "engine/io/passed_file_set.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

constexpr std::size_t kMaxModelBytes = 4096;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::int64_t kMaxConcurrency = 64;
constexpr std::int64_t kMaxQueue = 65536;
constexpr std::int64_t kMaxContext = 1 << 24;
constexpr int32_t kDefaultMaxTokens = 256;

Result<std::optional<int32_t>> IntInRange(const nlohmann::json& params, const char* name,
                                          std::int64_t lo, std::int64_t hi) {
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> v, proto::OptionalInt(params, name));
  if (!v) return std::optional<int32_t>();
  if (*v < lo || *v > hi) {
    return InvalidArgument("param '" + std::string(name) + "' must be in " + std::to_string(lo) +
                           ".." + std::to_string(hi) + ", got " + std::to_string(*v));
  }
  return std::optional<int32_t>(static_cast<int32_t>(*v));
}

Result<std::optional<double>> KeepAlive(const nlohmann::json& params) {
  auto it = params.find("keep_alive");
  if (it == params.end() || it->is_null()) return std::optional<double>();
  if (it->is_number()) return std::optional<double>(it->get<double>());
  if (it->is_string()) {
    HFD_ASSIGN_OR_RETURN(double seconds,
                         ParseDurationSeconds(it->get<std::string>(), "param 'keep_alive'"));
    return std::optional<double>(seconds);
  }
  return InvalidArgument(
      "param 'keep_alive' must be a number of seconds or a duration string such as \"5m\"");
}

Result<std::optional<float>> Float(const nlohmann::json& params, const char* name) {
  HFD_ASSIGN_OR_RETURN(std::optional<double> v, proto::OptionalNumber(params, name));
  if (!v) return std::optional<float>();
  return std::optional<float>(static_cast<float>(*v));
}

Result<std::vector<std::string>> StopStrings(const nlohmann::json& params) {
  std::vector<std::string> out;
  auto it = params.find("stop");
  if (it == params.end() || it->is_null()) return out;
  if (!it->is_array()) return InvalidArgument("param 'stop' must be an array of strings");
  for (const nlohmann::json& s : *it) {
    if (!s.is_string()) return InvalidArgument("param 'stop' must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

Result<serve::ModelRequest> ParseModelRequest(const nlohmann::json& params) {
  serve::ModelRequest out;
  HFD_ASSIGN_OR_RETURN(out.model, proto::RequiredString(params, "model", kMaxModelBytes));
  if (out.model.empty()) return InvalidArgument("param 'model' is empty");
  serve::LoadOptions& o = out.options;
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> backend,
                       proto::OptionalString(params, "backend", 64));
  if (backend) {
    HFD_ASSIGN_OR_RETURN(o.backend, backends::ParseBackendKind(*backend));
  }
  HFD_ASSIGN_OR_RETURN(o.device, proto::OptionalString(params, "device", 256));
  HFD_ASSIGN_OR_RETURN(o.ctx, IntInRange(params, "ctx", 16, kMaxContext));
  HFD_ASSIGN_OR_RETURN(o.keep_alive_seconds, KeepAlive(params));
  HFD_ASSIGN_OR_RETURN(o.max_concurrency,
                       IntInRange(params, "max_concurrency", 1, kMaxConcurrency));
  HFD_ASSIGN_OR_RETURN(o.max_queue, IntInRange(params, "max_queue", 0, kMaxQueue));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> pull, proto::OptionalBool(params, "pull"));
  out.pull = pull.value_or(true);
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> token,
                       proto::OptionalString(params, "token", kMaxTokenBytes));
  if (token && !token->empty()) out.token = std::move(token);
  HFD_ASSIGN_OR_RETURN(std::optional<bool> offline, proto::OptionalBool(params, "offline"));
  out.offline = offline.value_or(false);
  return out;
}

Result<std::shared_ptr<const io::ModelFileSet>> TakePassedModelFiles(RequestContext& ctx,
                                                                     const std::string& model) {
  std::vector<PassedFile> passed = ctx.TakePassedFiles();
  if (passed.empty()) return std::shared_ptr<const io::ModelFileSet>();
  std::vector<io::NamedFd> named;
  named.reserve(passed.size());
  for (PassedFile& p : passed) named.push_back({std::move(p.name), std::move(p.fd)});
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::ModelFileSet> files,
                       io::MakePassedFileSet(std::move(named), model + ", passed by the client"));
  return std::shared_ptr<const io::ModelFileSet>(std::move(files));
}

Result<sampling::SamplingParams> ParseSamplingParams(const nlohmann::json& params) {
  sampling::SamplingParams p;
  p.max_tokens = kDefaultMaxTokens;
  HFD_ASSIGN_OR_RETURN(std::optional<int32_t> max_tokens,
                       IntInRange(params, "max_tokens", -1, INT32_MAX));
  if (max_tokens) p.max_tokens = *max_tokens;
  const auto set_float = [&](const char* name, float& field) -> Status {
    HFD_ASSIGN_OR_RETURN(std::optional<float> v, Float(params, name));
    if (v) field = *v;
    return Status::Ok();
  };
  HFD_RETURN_IF_ERROR(set_float("temperature", p.temperature));
  HFD_RETURN_IF_ERROR(set_float("top_p", p.top_p));
  HFD_RETURN_IF_ERROR(set_float("min_p", p.min_p));
  HFD_RETURN_IF_ERROR(set_float("repeat_penalty", p.repetition_penalty));
  HFD_RETURN_IF_ERROR(set_float("presence_penalty", p.presence_penalty));
  HFD_RETURN_IF_ERROR(set_float("frequency_penalty", p.frequency_penalty));
  HFD_ASSIGN_OR_RETURN(std::optional<int32_t> top_k,
                       IntInRange(params, "top_k", INT32_MIN, INT32_MAX));
  if (top_k) p.top_k = *top_k;
  HFD_ASSIGN_OR_RETURN(std::optional<int32_t> last_n,
                       IntInRange(params, "penalty_last_n", INT32_MIN, INT32_MAX));
  if (last_n) p.penalty_last_n = *last_n;
  HFD_ASSIGN_OR_RETURN(std::optional<std::uint64_t> seed, proto::OptionalUint(params, "seed"));
  if (seed) p.seed = *seed;
  HFD_ASSIGN_OR_RETURN(p.stop, StopStrings(params));
  HFD_RETURN_IF_ERROR(sampling::Validate(p));
  return p;
}

Status RejectUnknownServeParams(const nlohmann::json& params,
                                const std::vector<std::string>& extra) {
  if (!params.is_object()) return Status::Ok();
  for (const auto& [key, value] : params.items()) {
    const bool known =
        std::find(std::begin(kLoadParams), std::end(kLoadParams), key) != std::end(kLoadParams) ||
        std::find(extra.begin(), extra.end(), key) != extra.end();
    if (!known) return InvalidArgument("unknown param '" + key + "'");
  }
  return Status::Ok();
}

}  // namespace hfd::daemon
