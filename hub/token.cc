#include "hub/token.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hub/hub_config.h"

namespace hfd::hub {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  const size_t begin = s.find_first_not_of(ws);
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(ws);
  return s.substr(begin, end - begin + 1);
}

// nullopt when the file does not exist.
Result<std::optional<std::string>> ReadOptionalFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<std::string>();
  std::ifstream in(path);
  if (!in) {
    return ErrnoError("cannot read the Hugging Face token file " + path.string(), errno);
  }
  std::string line;
  std::getline(in, line);
  return std::optional<std::string>(Trim(line));
}

}  // namespace

std::filesystem::path TokenFilePath(const Env& env) {
  if (auto path = env.Get("HF_TOKEN_PATH")) return *path;
  auto config = HubConfigFromEnv(env);
  if (config.ok()) return config->hf_home / "token";
  return {};
}

std::string_view TokenSourceName(TokenSource source) {
  switch (source) {
    case TokenSource::kNone:
      return "none";
    case TokenSource::kConfig:
      return "config";
    case TokenSource::kEnvironment:
      return "HF_TOKEN";
    case TokenSource::kTokenFile:
      return "token_file";
    case TokenSource::kRequest:
      return "request";
  }
  return "none";
}

Result<ResolvedToken> ResolveToken(const std::optional<std::string>& config_token, const Env& env) {
  if (config_token && !Trim(*config_token).empty()) {
    return ResolvedToken{Trim(*config_token), TokenSource::kConfig, ""};
  }
  if (auto from_env = env.Get("HF_TOKEN"); from_env && !Trim(*from_env).empty()) {
    return ResolvedToken{Trim(*from_env), TokenSource::kEnvironment, ""};
  }
  const std::filesystem::path path = TokenFilePath(env);
  if (path.empty()) return ResolvedToken{};
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> content, ReadOptionalFile(path));
  if (!content || content->empty()) return ResolvedToken{};
  return ResolvedToken{*content, TokenSource::kTokenFile, path.string()};
}

Result<ResolvedToken> ReadTokenFile(const std::string& path) {
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> content, ReadOptionalFile(path));
  if (!content) return NotFound("token file " + path + " does not exist");
  if (content->empty()) return InvalidArgument("token file " + path + " is empty");
  return ResolvedToken{*content, TokenSource::kRequest, path};
}

}  // namespace hfd::hub
