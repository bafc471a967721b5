#include "http/message.h"

namespace hfd::http {

std::string Request::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Result<nlohmann::json> ParseJsonObject(const std::string& body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("the request body is not valid JSON");
  if (!parsed.is_object()) return InvalidArgument("the request body must be a JSON object");
  return parsed;
}

Reply JsonReply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply StreamReply(std::shared_ptr<Exchange> stream, std::string content_type) {
  Reply r;
  r.content_type = std::move(content_type);
  r.stream = std::move(stream);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

Reply HungUp() {
  Reply r;
  r.hung_up = true;
  return r;
}

}  // namespace hfd::http
