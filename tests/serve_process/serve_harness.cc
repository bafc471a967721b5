#include "tests/serve_process/serve_harness.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace hfd::testing {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

FixtureModels FixtureModelsIn(const std::filesystem::path& fixtures) {
  return {fixtures / "gguf/tiny-llama3-Q8_0.gguf", fixtures / "gguf/tiny-qwen2-Q8_0.gguf",
          fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", fixtures / "models/tiny-llama3"};
}

json LongGenerate(const std::string& model) {
  return {{"model", model}, {"prompt", "Once upon a time"}, {"max_tokens", -1}, {"temperature", 0}};
}

json ShortGenerate(const std::string& model, int max_tokens) {
  return {{"model", model},
          {"prompt", "The capital of France is"},
          {"max_tokens", max_tokens},
          {"temperature", 0}};
}

void AddFixtureRepos(hub::testing::TestHubServer& hub, const FixtureModels& models) {
  const std::vector<std::pair<const char*, std::filesystem::path>> gguf = {
      {kLlama3GgufRepo, models.llama3_q8},
      {kQwen2GgufRepo, models.qwen2_q8},
      {kLlama2GgufRepo, models.llama2_q4km}};
  for (const auto& [repo, file] : gguf) {
    hub.AddFile(repo, "main", file.filename().string(), ReadFileOrFail(file));
  }
  for (const auto& entry : std::filesystem::directory_iterator(models.llama3_dir)) {
    hub.AddFile(kLlama3Repo, "main", entry.path().filename().string(),
                ReadFileOrFail(entry.path()));
  }
}

bool Streamed::Saw(const std::string& method) const {
  for (const std::string& m : notifications) {
    if (m == method) return true;
  }
  return false;
}

std::int64_t Streamed::Usage(const std::string& key) const {
  const auto usage = result.find("usage");
  if (usage == result.end() || !usage->is_object()) return -1;
  return usage->value(key, std::int64_t{-1});
}

Streamed StreamCall(client::Client& client, const std::string& method, const json& params,
                    const NotificationObserver& observe, const std::atomic<bool>* cancel) {
  Streamed out;
  client::CallOptions options;
  options.cancel = cancel;
  options.timeout_ms = kCallTimeoutMs;
  auto result = client.CallStreaming(
      method, params,
      [&](const std::string& name, const json& note) {
        out.notifications.push_back(name);
        if (name == "token") {
          ++out.token_notifications;
          out.text += note.value("text", "");
          out.streamed_tokens += note.value("tokens", 0);
        }
        if (observe) observe(name, note);
      },
      options);
  if (result.ok()) {
    out.result = std::move(result).value();
  } else {
    out.status = result.status();
  }
  return out;
}

std::unique_ptr<client::Client> ConnectOrFail(const std::string& socket) {
  auto client = client::Client::Connect(socket);
  if (!client.ok()) {
    ADD_FAILURE() << "cannot connect to " << socket << ": " << client.status().ToString();
    return nullptr;
  }
  return std::move(client).value();
}

double SumOfSamples(const std::string& exposition, const std::string& name,
                    const std::string& label_filter) {
  double sum = 0;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0) continue;
    const char after = line.size() > name.size() ? line[name.size()] : '\0';
    if (after != '{' && after != ' ') continue;  // another metric sharing the prefix
    const std::size_t value_at = line.rfind(' ');
    const std::string labels = line.substr(name.size(), value_at - name.size());
    if (labels.find(label_filter) == std::string::npos) continue;
    sum += std::strtod(line.c_str() + value_at + 1, nullptr);
  }
  return sum;
}

Result<std::map<std::uint32_t, proto::Message>> ReceiveResponses(
    RawClient& raw, const std::vector<std::uint32_t>& msgids, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::map<std::uint32_t, proto::Message> responses;
  while (responses.size() < msgids.size()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return DeadlineExceeded("not every response came in time");
    auto message = raw.Receive(left);
    if (!message.ok()) return message.status();
    if (message->type != proto::MessageType::kResponse) continue;
    if (std::find(msgids.begin(), msgids.end(), message->msgid) == msgids.end()) {
      return Internal("a response to msgid " + std::to_string(message->msgid) +
                      ", which was not expected");
    }
    responses.emplace(message->msgid, std::move(message).value());
  }
  return responses;
}

Result<proto::Message> ReceiveResponse(RawClient& raw, std::uint32_t msgid) {
  HFD_ASSIGN_OR_RETURN(auto responses, ReceiveResponses(raw, {msgid}));
  return std::move(responses.begin()->second);
}

bool WaitForNotification(RawClient& raw, const std::string& method,
                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    auto message = raw.Receive(left);
    if (!message.ok() || message->type == proto::MessageType::kResponse) {
      ADD_FAILURE() << "waiting for a '" << method << "' notification, got "
                    << (message.ok() ? message->error.ToString() + " " + message->result.dump()
                                     : message.status().ToString());
      return false;
    }
    if (message->method == method) return true;
  }
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

BackgroundCall::BackgroundCall(const std::string& socket, std::string method, nlohmann::json params)
    : thread_([this, socket, method = std::move(method), params = std::move(params)] {
        if (auto client = ConnectOrFail(socket)) {
          outcome_ =
              StreamCall(*client, method, params, [this](const std::string& name, const json&) {
                std::lock_guard lock(mu_);
                seen_.push_back(name);
              });
        }
        done_ = true;
      }) {}

BackgroundCall::~BackgroundCall() {
  if (thread_.joinable()) thread_.join();
}

bool BackgroundCall::WaitFor(const std::string& method, std::chrono::milliseconds timeout) {
  const auto seen = [&] {
    std::lock_guard lock(mu_);
    return std::find(seen_.begin(), seen_.end(), method) != seen_.end();
  };
  Eventually([&] { return done_ || seen(); }, timeout);
  return seen();
}

const Streamed& BackgroundCall::Finish() {
  if (thread_.joinable()) thread_.join();
  return outcome_;
}

void ServeTest::SetUp() {
  HFD_REQUIRE_FIXTURES(fixtures);
  fixtures_ = fixtures;
  models_ = FixtureModelsIn(fixtures);
  // The daemon reads Hub settings from its environment, inherited from this process.
  ::setenv("HF_HUB_CACHE", cache_dir().c_str(), 1);
  ::setenv("HF_HOME", cache_.path().c_str(), 1);
  ::setenv("HF_HUB_OFFLINE", "1", 1);
  ::setenv("HF_ENDPOINT", "http://127.0.0.1:9", 1);  // nothing listens on the discard port
  ::unsetenv("HF_TOKEN");
}

void ServeTest::TearDown() {
  if (HasFailure() && (daemon_ || activated_)) std::cerr << "--- hfd log ---\n" << DaemonLog();
  StopDaemon();
}

void ServeTest::StartHub(const std::function<void(hub::testing::TestHubServer&)>& add) {
  hub_ = std::make_unique<hub::testing::TestHubServer>();
  AddFixtureRepos(*hub_, models_);
  if (add) add(*hub_);
  ASSERT_TRUE(hub_->Start());
  ::setenv("HF_ENDPOINT", hub_->endpoint().c_str(), 1);
  ::unsetenv("HF_HUB_OFFLINE");
}

void ServeTest::StartDaemon(const std::string& config_toml) {
  daemon_ = std::make_unique<DaemonFixture>(std::vector<std::string>{}, config_toml);
  socket_ = daemon_->socket();
  ASSERT_TRUE(daemon_->started()) << daemon_->Log();
}

void ServeTest::StartDaemonSocketActivated() {
  if (::access(kSocketActivatePath, X_OK) != 0) {
    GTEST_SKIP() << kSocketActivatePath << " is not installed (Debian package: systemd)";
  }
  socket_ = (cache_.path() / "hfd.sock").string();
  const std::vector<std::string> argv =
      SocketActivateCommand(socket_, {BinaryFromEnv("HFD_BIN"), "--log-target", "stderr"});
  activated_ = ChildProcess::Start(argv, {}, cache_.path() / "hfd.log");
  ASSERT_NE(activated_, nullptr);
  // The first connection makes systemd-socket-activate exec hfd with the socket.
  ASSERT_TRUE(WaitForSocket(socket_, std::chrono::seconds(30))) << DaemonLog();
}

void ServeTest::StopDaemon() {
  daemon_.reset();
  if (activated_) activated_->Terminate();
  activated_.reset();
}

std::filesystem::path ServeTest::daemon_dir() const {
  return daemon_ ? daemon_->dir() : cache_.path();
}

ChildProcess& ServeTest::daemon_process() { return activated_ ? *activated_ : daemon_->process(); }

std::string ServeTest::DaemonLog() const {
  if (daemon_) return daemon_->Log();
  std::ifstream in(cache_.path() / "hfd.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<json> ServeTest::Call(const std::string& method, const json& params) {
  auto client = Connect();
  if (client == nullptr) return Unavailable("no connection");
  client::CallOptions options;
  options.timeout_ms = kCallTimeoutMs;
  return client->Call(method, params, options);
}

json ServeTest::CallOk(const std::string& method, const json& params) {
  auto result = Call(method, params);
  if (!result.ok()) {
    ADD_FAILURE() << method << " " << params.dump() << " failed: " << result.status().ToString();
    return json::object();
  }
  return std::move(result).value();
}

json ServeTest::Spans(const std::string& name, int limit) {
  return CallOk("history", {{"name", name}, {"limit", limit}}).value("spans", json::array());
}

}  // namespace hfd::testing
