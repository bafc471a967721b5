#include "http/openai/embeddings.h"

#include <openssl/evp.h>

#include <cstring>
#include <string>

#include "http/completion_call.h"
#include "http/embedding_call.h"
#include "http/openai/errors.h"

namespace hfd::http::openai {
namespace {

// A vector as OpenAI's base64 encoding: its float32 bytes, little-endian as in memory on
// the machines hfd runs on (x86-64, arm64), in padded base64 (OpenSSL's encoder).
std::string Base64Floats(const std::vector<float>& v) {
  const size_t bytes = v.size() * sizeof(float);
  std::string out(4 * ((bytes + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(v.data()), static_cast<int>(bytes));
  out.resize(static_cast<size_t>(n));
  return out;
}

struct Parsed {
  serve::EmbedRequest embed;
  bool base64 = false;
};

Result<Parsed> Parse(const nlohmann::json& body) {
  Parsed p;
  const auto model = body.find("model");
  if (model == body.end() || !model->is_string() || model->get<std::string>().empty()) {
    return InvalidArgument("'model' must be a model name");
  }
  HFD_ASSIGN_OR_RETURN(p.embed.texts, EmbeddingInputs(body));
  p.embed.truncate = false;
  if (const auto f = body.find("encoding_format"); f != body.end() && !f->is_null()) {
    if (!f->is_string() || (*f != "float" && *f != "base64")) {
      return InvalidArgument("'encoding_format' must be \"float\" or \"base64\"");
    }
    p.base64 = *f == "base64";
  }
  if (const auto d = body.find("dimensions"); d != body.end() && !d->is_null()) {
    return Unsupported("'dimensions' is not supported: hfd returns the model's whole vectors");
  }
  return p;
}

}  // namespace

Reply Embeddings(daemon::DaemonServices& services, const Request& request) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  Result<Parsed> parsed = body.ok() ? Parse(*body) : Result<Parsed>(body.status());
  const std::string model = body.ok() ? body->value("model", std::string()) : std::string();
  Result<serve::EmbedRequest> embed =
      parsed.ok() ? Result<serve::EmbedRequest>(parsed->embed) : parsed.status();
  if (embed.ok()) embed->target = ModelTarget(services, request, model);
  const bool base64 = parsed.ok() && parsed->base64;
  EmbeddingShape shape;
  shape.error = ErrorReply;
  shape.body = [model, base64](const serve::Embeddings& e) {
    nlohmann::json data = nlohmann::json::array();
    for (size_t i = 0; i < e.vectors.size(); ++i) {
      nlohmann::json item = {{"object", "embedding"}, {"index", i}};
      if (base64) {
        item["embedding"] = Base64Floats(e.vectors[i]);
      } else {
        item["embedding"] = e.vectors[i];
      }
      data.push_back(std::move(item));
    }
    return nlohmann::json{
        {"object", "list"},
        {"data", std::move(data)},
        {"model", model},
        {"usage", {{"prompt_tokens", e.prompt_tokens}, {"total_tokens", e.prompt_tokens}}}};
  };
  return RunEmbedding(services, request, std::move(embed), model, "openai", shape);
}

}  // namespace hfd::http::openai
