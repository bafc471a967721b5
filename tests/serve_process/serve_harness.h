// Shared pieces of the serving process tests: a daemon on an isolated Hub cache, streamed
// generate/chat calls that record their notifications, raw requests for exact control of
// msgids, and readers for `metrics`, `ps` and `history`.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/client.h"
#include "hfd/status.h"
#include "tests/daemon/harness.h"
#include "tests/hub/test_hub_server.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {

// Generous bound on any one call, so a lost reply fails the test instead of hanging it.
inline constexpr std::uint32_t kCallTimeoutMs = 240'000;

// Fixture model files (under the fixtures directory).
struct FixtureModels {
  std::filesystem::path llama3_q8;    // gguf/tiny-llama3-Q8_0.gguf
  std::filesystem::path qwen2_q8;     // gguf/tiny-qwen2-Q8_0.gguf
  std::filesystem::path llama2_q4km;  // gguf/tiny-llama2-Q4_K_M.gguf
  std::filesystem::path llama3_dir;   // models/tiny-llama3 (safetensors)
};
FixtureModels FixtureModelsIn(const std::filesystem::path& fixtures);

// A context large enough that a request generating until it is full runs for many
// seconds on a tiny fixture model, long enough for a test to act while it runs.
inline constexpr int kLongContext = 32768;

// `generate` params (greedy, no EOS in tiny-llama3's greedy text) that run until the
// context is full; the model must be loaded with ctx kLongContext.
nlohmann::json LongGenerate(const std::string& model);
// `generate` params for a short greedy request.
nlohmann::json ShortGenerate(const std::string& model, int max_tokens = 8);

// What one streamed generate/chat (or load) call produced.
struct Streamed {
  Status status;                                     // the final response's error, OK on success
  nlohmann::json result = nlohmann::json::object();  // the final result ({} on error)
  std::string text;                        // the `token` notifications' texts, concatenated
  int token_notifications = 0;             // how many `token` notifications came
  int streamed_tokens = 0;                 // the sum of their `tokens` fields
  std::vector<std::string> notifications;  // every notification's method, in order
  bool Saw(const std::string& method) const;
  // result.usage[key], -1 when absent.
  std::int64_t Usage(const std::string& key) const;
};

// Called on the calling thread for each notification, after it is recorded.
using NotificationObserver =
    std::function<void(const std::string& method, const nlohmann::json& params)>;

// Runs `method` streaming, bounded by kCallTimeoutMs; `cancel`, when set to true, makes
// the client send `cancel` for it.
Streamed StreamCall(client::Client& client, const std::string& method, const nlohmann::json& params,
                    const NotificationObserver& observe = {},
                    const std::atomic<bool>* cancel = nullptr);

// A client on `socket`; fails the test (ADD_FAILURE) and returns null when it cannot.
std::unique_ptr<client::Client> ConnectOrFail(const std::string& socket);

// The sum of every sample of metric `name` (all label sets) in a Prometheus exposition
// whose labels contain `label_filter` (e.g. `reason="busy"`); 0 when there is none.
double SumOfSamples(const std::string& exposition, const std::string& name,
                    const std::string& label_filter = "");

// The responses to `msgids` on a raw connection, in any order, skipping notifications;
// an error status when the connection closed or they did not all come in time.
Result<std::map<std::uint32_t, proto::Message>> ReceiveResponses(
    RawClient& raw, const std::vector<std::uint32_t>& msgids,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(kCallTimeoutMs));
// The response to one msgid.
Result<proto::Message> ReceiveResponse(RawClient& raw, std::uint32_t msgid);

// Waits for the next notification named `method` on a raw connection; false on timeout,
// close, or a response arriving first.
bool WaitForNotification(
    RawClient& raw, const std::string& method,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(kCallTimeoutMs));

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// One streamed call running on its own thread and connection, for tests that need a
// request waiting or running while they act. The destructor waits for it to end.
class BackgroundCall {
 public:
  BackgroundCall(const std::string& socket, std::string method, nlohmann::json params);
  ~BackgroundCall();
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;

  // True once the daemon sent it a notification named `method` (e.g. "queued", "token");
  // false when the call ended without one or `timeout` passed.
  bool WaitFor(const std::string& method,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(kCallTimeoutMs));
  // Waits for the final response.
  const Streamed& Finish();

 private:
  std::mutex mu_;
  std::vector<std::string> seen_;  // GUARDED_BY(mu_)
  Streamed outcome_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The fixture models as repos of the test Hub: one GGUF repo per model, as the Hub holds
// them, and tiny-llama3's safetensors checkpoint.
inline constexpr const char* kLlama3GgufRepo = "fixtures/tiny-llama3-GGUF";
inline constexpr const char* kQwen2GgufRepo = "fixtures/tiny-qwen2-GGUF";
inline constexpr const char* kLlama2GgufRepo = "fixtures/tiny-llama2-GGUF";
inline constexpr const char* kLlama3Repo = "fixtures/tiny-llama3";
void AddFixtureRepos(hub::testing::TestHubServer& hub, const FixtureModels& models);

// A test with the fixtures, an empty Hub cache of its own and a daemon started on demand.
// The daemon inherits HF_HUB_CACHE/HF_HOME pointing into the test's directory and
// HF_HUB_OFFLINE=1 unless StartHub ran first.
class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts a test Hub serving the fixture repos (and whatever `add` lays out) and points
  // the daemon at it, online (use ASSERT_NO_FATAL_FAILURE, before StartDaemon).
  void StartHub(const std::function<void(hub::testing::TestHubServer&)>& add = {});
  // Starts hfd with this configuration file text (use ASSERT_NO_FATAL_FAILURE).
  void StartDaemon(const std::string& config_toml = "");
  // Starts hfd the way systemd does, through systemd-socket-activate; skips the test
  // when that tool is missing.
  void StartDaemonSocketActivated();
  void StopDaemon();
  const std::string& socket() const { return socket_; }
  // The folder holding the daemon's socket (and its configuration file).
  std::filesystem::path daemon_dir() const;
  ChildProcess& daemon_process();
  std::string DaemonLog() const;
  std::unique_ptr<client::Client> Connect() { return ConnectOrFail(socket_); }

  // Calls a method that does not stream on a fresh connection; fails the test on error.
  nlohmann::json CallOk(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object());
  // The same, returning the error for tests that expect one.
  Result<nlohmann::json> Call(const std::string& method,
                              const nlohmann::json& params = nlohmann::json::object());
  std::string MetricsText() { return CallOk("metrics").value("text", ""); }
  nlohmann::json PsModels() { return CallOk("ps")["models"]; }
  // `history` spans named `name`, newest first.
  nlohmann::json Spans(const std::string& name, int limit = 64);

  std::filesystem::path cache_dir() const { return cache_.path() / "hub"; }

  std::filesystem::path fixtures_;
  FixtureModels models_;
  TempDir cache_;
  std::unique_ptr<hub::testing::TestHubServer> hub_;

 private:
  std::string socket_;
  std::unique_ptr<DaemonFixture> daemon_;    // StartDaemon
  std::unique_ptr<ChildProcess> activated_;  // StartDaemonSocketActivated
};

}  // namespace hfd::testing
