// Which Hugging Face token to use, and where it came from. Tokens are secrets: never log
// ResolvedToken::token and never send it to a client; `source` is safe to show.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "hfd/status.h"
#include "hub/env.h"

namespace hfd::hub {

enum class TokenSource { kNone, kConfig, kEnvironment, kTokenFile, kRequest };

// "none", "config", "HF_TOKEN", "token_file", "request".
std::string_view TokenSourceName(TokenSource source);

struct ResolvedToken {
  std::string token;  // empty when source is kNone
  TokenSource source = TokenSource::kNone;
  std::string file;  // the token file read, for kTokenFile

  bool present() const { return source != TokenSource::kNone; }
};

// Precedence: `config_token` (the daemon config's hf_token / token) > HF_TOKEN > the token
// file (HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token). A missing
// token file means no token; an unreadable one is an error naming it.
Result<ResolvedToken> ResolveToken(const std::optional<std::string>& config_token, const Env& env);

// Where huggingface_hub keeps the user's token, and `hfctl login` writes it: HF_TOKEN_PATH,
// else $HF_HOME/token, else ~/.cache/huggingface/token ($XDG_CACHE_HOME honoured). Empty
// when neither HF_HOME nor HOME is set.
std::filesystem::path TokenFilePath(const Env& env);

// Reads a token from a file (first line, surrounding whitespace removed), e.g. for
// `hfctl pull --token-file F`. The result's source is kRequest.
Result<ResolvedToken> ReadTokenFile(const std::string& path);

}  // namespace hfd::hub
