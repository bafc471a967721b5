#include "http/access.h"

#include <fstream>
#include <sstream>

namespace hfd::http {
namespace {

// Looks at every byte of `key` whatever `given` holds, so the time taken does not tell
// how much of a guess matched.
bool SameKey(std::string_view given, std::string_view key) {
  unsigned diff = given.size() == key.size() ? 0 : 1;
  for (size_t i = 0; i < key.size(); ++i) {
    const auto g = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    diff |= g ^ static_cast<unsigned char>(key[i]);
  }
  return diff == 0;
}

Status ReadKeysFile(const std::string& path, std::vector<daemon::ApiKey>& keys) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read http.api_keys_file " + path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string level, key, extra;
    if (!(fields >> level) || level[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(number);
    if (!(fields >> key) || (fields >> extra)) {
      return InvalidArgument(where + ": expected \"LEVEL KEY\" (level none, read, use or manage)");
    }
    Result<serve::Rights> rights = serve::ParseRights(level);
    if (!rights.ok()) return rights.status().WithContext(where);
    keys.push_back({key, *rights});
  }
  return Status::Ok();
}

}  // namespace

HttpAccess::HttpAccess(std::vector<daemon::ApiKey> keys, serve::Rights tcp_level,
                       const daemon::AccessPolicy* policy)
    : keys_(std::move(keys)), tcp_level_(tcp_level), policy_(policy) {}

Result<HttpAccess> HttpAccess::Create(const daemon::HttpConfig& config,
                                      const daemon::AccessPolicy* policy) {
  std::vector<daemon::ApiKey> keys = config.api_keys;
  if (!config.api_keys_file.empty()) {
    HFD_RETURN_IF_ERROR(ReadKeysFile(config.api_keys_file, keys));
  }
  return HttpAccess(std::move(keys), config.tcp_level, policy);
}

serve::Caller HttpAccess::UnixCaller(const daemon::PeerCredentials& peer) const {
  return policy_->CallerOf(peer);
}

Result<serve::Caller> HttpAccess::RequestCaller(const serve::Caller& connection, bool tcp,
                                                std::string_view authorization) const {
  if (!tcp) return connection;
  serve::Caller caller{kTcpUid, 0, tcp_level_, false};
  if (keys_.empty()) return caller;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return Unauthenticated(
        "this listener needs an API key: send the header 'Authorization: Bearer KEY' with a key "
        "from http.api_keys or http.api_keys_file");
  }
  const std::string_view given = authorization.substr(kBearer.size());
  const daemon::ApiKey* match = nullptr;
  for (const daemon::ApiKey& key : keys_) {
    if (SameKey(given, key.key)) match = &key;
  }
  if (match == nullptr) {
    return Unauthenticated(
        "the API key is not valid; check the key the daemon's administrator "
        "configured (http.api_keys or http.api_keys_file)");
  }
  caller.rights = match->level;
  return caller;
}

}  // namespace hfd::http
