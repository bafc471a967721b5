// Shared pieces of the HTTP door's tests: a daemon with the test Hub and a fixture model
// pulled, and curl over the daemon's HTTP Unix socket (or TCP) for exact control of what
// goes over the wire.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {

// One curl exchange: the status of the last response, its headers (names in lower case)
// and body.
struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string error;  // curl's stderr when it failed
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// The fixture model the HTTP tests talk to, as the test Hub holds it.
inline constexpr const char* kHttpModel = "fixtures/tiny-llama3-GGUF:Q8_0";

class HttpTest : public ServeTest {
 protected:
  // Starts the test Hub (with what `add` lays out besides the fixtures) and hfd with
  // `config_toml`, and pulls `model`.
  void StartServing(const std::string& config_toml = "",
                    const std::function<void(hub::testing::TestHubServer&)>& add = {},
                    const std::string& model = kHttpModel);
  std::string http_socket() const;

  // curl on the HTTP Unix socket: `method` `path` with `body` (none when empty) and
  // `extra` arguments.
  HttpResult Curl(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::vector<std::string>& extra = {});
  // curl on a TCP URL.
  HttpResult CurlUrl(const std::string& method, const std::string& url,
                     const std::string& body = "", const std::vector<std::string>& extra = {});
  // Installs the pinned JavaScript clients (tests/http/clients, `npm ci`) in the build
  // folder once. Without node or npm, or without the registry, the test is skipped, but
  // fails under CI=true: a real-client test never passes by not running.
  void PrepareNodeClients();
  // Runs `node SCRIPT ARGS...` in the clients' folder (environment `env` added).
  CommandResult Node(const std::string& script, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {});
  // The result of `hfctl --json ARGS...` (hfctl's greedy answers, for comparison).
  nlohmann::json HfctlJson(const std::vector<std::string>& args);

  // A chat request body for kHttpModel: greedy, `max_tokens` tokens.
  static nlohmann::json ChatBody(int max_tokens, bool stream);

 private:
  std::filesystem::path clients_dir_;
};

// A free loopback TCP port (bound and released: a race-free enough choice for a test).
int FreeTcpPort();

}  // namespace hfd::testing
