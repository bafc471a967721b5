// The trust boundary (issue 13) from the attacker's side: a second local user that may
// connect to the socket but has only the default `use` level runs a stock client (no
// descriptors, nothing added) against a real daemon, and each attack is refused with an
// error that says what is needed, while root is still served.
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "tests/serve_process/serve_harness.h"
#include "tests/support/test_user.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class TrustBoundary : public ServeTest {
 protected:
  // A daemon whose socket every local user may open (as with a system instance whose
  // socket is in a group everyone is in), without giving that group the manage level.
  // `policy` adds lines to the [policy] table; `sections` adds tables after it.
  void StartOpenDaemon(const TestUser& peer, const std::string& policy = "",
                       const std::string& sections = "") {
    ASSERT_NO_FATAL_FAILURE(
        StartDaemon("socket_mode = \"0666\"\n[policy]\n"
                    "allow_socket_group = false\n" +
                    policy + sections));
    ASSERT_EQ(::chmod(daemon_dir().c_str(), 0711), 0);
    ASSERT_EQ(::chmod(cache_.path().c_str(), 0711), 0);
    Result<fs::path> tool = CopyForAnyone(BinaryFromEnv("HFD_RAW_CALL_BIN"), cache_.path() / "bin");
    ASSERT_TRUE(tool.ok()) << tool.status().ToString();
    raw_call_ = *tool;
    peer_ = peer;
  }

  // One request as the peer; {"result": ...} or {"error": {"code", "message"}}, plus the
  // notifications' methods and params under "notifications".
  // `files` are NAME=PATH pairs the tool opens as the peer and passes, unchecked.
  json AsPeer(const std::string& method, const json& params = json::object(),
              const std::vector<std::string>& files = {}) {
    std::vector<std::string> argv = {raw_call_.string(), socket(), method, params.dump()};
    argv.insert(argv.end(), files.begin(), files.end());
    const CommandResult r = RunCommand(AsUser(peer_, argv));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json out = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << r.out << r.err;
    return out.is_discarded() ? json::object() : out;
  }

  static std::string ErrorCode(const json& answer) {
    return answer.contains("error") ? answer["error"].value("code", "") : "";
  }
  static std::string ErrorMessage(const json& answer) {
    return answer.contains("error") ? answer["error"].value("message", "") : "";
  }

  bool Resident(const std::string& model) {
    for (const json& m : PsModels()) {
      if (m.value("model", "") == model) return true;
    }
    return false;
  }

  fs::path raw_call_;
  TestUser peer_;
};

TEST_F(TrustBoundary, StatusTellsEachCallerItsLevel) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer, "default_level = \"read\"\n"));
  const json status = AsPeer("status");
  EXPECT_EQ(status["result"]["access"].value("level", ""), "read") << status.dump();
  EXPECT_EQ(CallOk("status")["access"].value("level", ""), "manage");
  // At `read`, generating is refused before anything else happens.
  const json refused = AsPeer("tokenize", {{"model", "org/any"}, {"text", "hi"}});
  EXPECT_EQ(ErrorCode(refused), "permission_denied") << refused.dump();
  EXPECT_NE(ErrorMessage(refused).find("policy.default_level"), std::string::npos);
}

TEST_F(TrustBoundary, AUsePeerCannotPullThroughGenerate) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartHub());
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";

  const json refused = AsPeer("generate", ShortGenerate(model, 2));
  EXPECT_EQ(ErrorCode(refused), "permission_denied") << refused.dump();
  EXPECT_NE(ErrorMessage(refused).find("'manage'"), std::string::npos) << refused.dump();
  EXPECT_NE(ErrorMessage(refused).find("policy.allow_users"), std::string::npos) << refused.dump();
  EXPECT_TRUE(CallOk("pulls")["pulls"].empty()) << "nothing may have started a pull";
  EXPECT_TRUE(hub_->Requests("storage").empty()) << "no file may have been downloaded";
  const json pull = AsPeer("pull", {{"model", model}});
  EXPECT_EQ(ErrorCode(pull), "permission_denied") << pull.dump();

  // Once a manager pulled it, the peer is served.
  CallOk("pull", {{"model", model}});
  const json served = AsPeer("generate", ShortGenerate(model, 2));
  ASSERT_TRUE(served.contains("result")) << served.dump();
  EXPECT_EQ(served["result"]["usage"].value("completion_tokens", 0), 2) << served.dump();
  // A manager's generate pulls, through the one puller: `pulls` lists it.
  const std::string other = std::string(kQwen2GgufRepo) + ":Q8_0";
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(StreamCall(*client, "generate", ShortGenerate(other, 1)).status.ok());
  const json pulls = CallOk("pulls");
  bool listed = false;
  for (const json& p : pulls["pulls"]) listed |= p.value("model", "") == other;
  EXPECT_TRUE(listed) << pulls.dump();
}

TEST_F(TrustBoundary, AUsePeerCannotUnloadOrBlockAnotherUsersModel) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartHub());
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";
  CallOk("pull", {{"model", model}});
  CallOk("load", {{"model", model}, {"keep_alive", -1}, {"ctx", 256}});

  for (const json& attack :
       {json{{"keep_alive", 0}}, json{{"max_queue", 0}}, json{{"max_concurrency", 4}}}) {
    json params = ShortGenerate(model, 2);
    params.update(attack);
    const json refused = AsPeer("generate", params);
    EXPECT_EQ(ErrorCode(refused), "permission_denied") << attack.dump() << refused.dump();
    EXPECT_NE(ErrorMessage(refused).find("'manage'"), std::string::npos) << refused.dump();
  }
  EXPECT_EQ(ErrorCode(AsPeer("unload", {{"model", model}})), "permission_denied");
  EXPECT_EQ(ErrorCode(AsPeer("load", {{"model", model}, {"keep_alive", 0}})), "permission_denied");
  EXPECT_EQ(ErrorCode(AsPeer("rm", {{"model", model}})), "permission_denied");
  ASSERT_TRUE(Resident(model)) << PsModels().dump();
  const json ps = PsModels();
  EXPECT_TRUE(ps[0]["expires_in_seconds"].is_null()) << "keep_alive changed: " << ps.dump();
  EXPECT_EQ(ps[0].value("max_queue", -1), 8) << ps.dump();
  // What the peer may do, it can.
  const json served = AsPeer("generate", ShortGenerate(model, 2));
  EXPECT_TRUE(served.contains("result")) << served.dump();
}

TEST_F(TrustBoundary, AUsePeerIsServedWithTheResidentSettingsAndToldSo) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartHub());
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";
  CallOk("pull", {{"model", model}});
  CallOk("load", {{"model", model}, {"ctx", 256}});
  json params = ShortGenerate(model, 2);
  params["ctx"] = 512;
  const json served = AsPeer("generate", params);
  ASSERT_TRUE(served.contains("result")) << served.dump();
  bool told = false;
  for (const json& n : served.value("notifications", json::array())) {
    if (n.value("method", "") == "notice" &&
        n["params"].value("message", "").find("ctx 256") != std::string::npos) {
      told = true;
    }
  }
  EXPECT_TRUE(told) << served.dump();
  EXPECT_EQ(PsModels()[0].value("ctx", 0), 256) << "the peer's ctx may not reload the model";
}

TEST_F(TrustBoundary, AUsePeerCannotEvictAnotherUsersModel) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartHub());
  const std::string a = std::string(kLlama3GgufRepo) + ":Q8_0";
  const std::string b = std::string(kQwen2GgufRepo) + ":Q8_0";
  std::int64_t bytes_a = 0;
  std::int64_t bytes_b = 0;
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  for (const std::string& m : {a, b}) CallOk("pull", {{"model", m}});
  bytes_a = CallOk("load", {{"model", a}, {"ctx", 64}}).value("memory_bytes", std::int64_t{0});
  bytes_b = CallOk("load", {{"model", b}, {"ctx", 64}}).value("memory_bytes", std::int64_t{0});
  ASSERT_GT(bytes_a, 0);
  ASSERT_GT(bytes_b, 0);
  StopDaemon();

  // Either fits; both do not.
  const std::int64_t budget = bytes_a + bytes_b - std::min(bytes_a, bytes_b) / 2;
  ASSERT_NO_FATAL_FAILURE(
      StartOpenDaemon(peer, "", "[models]\nmemory_budget = " + std::to_string(budget) + "\n"));
  CallOk("load", {{"model", a}, {"ctx", 64}});
  json params = ShortGenerate(b, 2);
  params["ctx"] = 64;
  const json refused = AsPeer("generate", params);
  EXPECT_EQ(ErrorCode(refused), "permission_denied") << refused.dump();
  EXPECT_NE(ErrorMessage(refused).find("other users"), std::string::npos) << refused.dump();
  EXPECT_TRUE(Resident(a)) << PsModels().dump();

  // With room, the peer loads the cached model itself.
  CallOk("unload", {{"model", a}});
  const json served = AsPeer("generate", params);
  ASSERT_TRUE(served.contains("result")) << served.dump();
  EXPECT_TRUE(Resident(b));
}

TEST_F(TrustBoundary, HistoryShowsACallerOnlyItsOwnRequests) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartHub());
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";
  CallOk("pull", {{"model", model}});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  json root_params = ShortGenerate(model, 3);
  root_params["prompt"] = "root's private prompt";
  ASSERT_TRUE(StreamCall(*client, "generate", root_params).status.ok());
  const json mine = AsPeer("generate", ShortGenerate(model, 2));
  ASSERT_TRUE(mine.contains("result")) << mine.dump();

  const json peer_history = AsPeer("history", {{"name", "ai_completion"}});
  ASSERT_TRUE(peer_history.contains("result")) << peer_history.dump();
  const json spans = peer_history["result"]["spans"];
  ASSERT_EQ(spans.size(), 1u) << "another user's generation is visible: " << spans.dump();
  EXPECT_EQ(spans[0]["attributes"].value("captured_output", ""), mine["result"].value("text", "x"));
  EXPECT_EQ(Spans("ai_completion").size(), 2u) << "a manager sees everyone's";
}

TEST_F(TrustBoundary, LocalPathsAreOpenedOnlyForRootAndTheDaemonsUser) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  // A model directory the peer could have made, whose template is a link to a file only
  // root may read.
  const fs::path dir = cache_.path() / "planted-model";
  fs::create_directories(dir);
  for (const char* file : {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
    fs::copy_file(models_.llama3_dir / file, dir / file);
  }
  const fs::path secret = cache_.path() / "root-only.txt";
  std::ofstream(secret) << "ROOT-ONLY-SECRET";
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  fs::create_symlink(secret, dir / "chat_template.jinja");
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const json messages = json::array({{{"role", "user"}, {"content", "hi"}}});

  const json refused = AsPeer("render_chat", {{"model", dir.string()}, {"messages", messages}});
  EXPECT_EQ(ErrorCode(refused), "permission_denied") << refused.dump();
  EXPECT_EQ(refused.dump().find("ROOT-ONLY-SECRET"), std::string::npos) << refused.dump();
  // The same answer for a path that does not exist: no way to probe for files.
  const json missing =
      AsPeer("render_chat", {{"model", "/nonexistent/model"}, {"messages", messages}});
  EXPECT_EQ(ErrorMessage(missing), ErrorMessage(refused));
  for (const auto& [method, params] :
       {std::pair<std::string, json>{"tokenize", {{"model", dir.string()}, {"text", "hi"}}},
        {"chat", {{"model", dir.string()}, {"messages", messages}}},
        {"load", {{"model", dir.string()}}}}) {
    const json r = AsPeer(method, params);
    EXPECT_EQ(ErrorCode(r), "permission_denied") << method << ": " << r.dump();
  }
  // Root may name the path (it can read the file anyway).
  EXPECT_TRUE(Call("render_chat", {{"model", dir.string()}, {"messages", messages}}).ok());
}

// hfctl run as the peer opens the model's files itself and passes them: what the peer may
// read is served, what it may not is never read by the daemon for it.
TEST_F(TrustBoundary, APeersHfctlPassesTheFilesItMayRead) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  Result<fs::path> hfctl = CopyForAnyone(BinaryFromEnv("HFCTL_BIN"), cache_.path() / "bin");
  ASSERT_TRUE(hfctl.ok()) << hfctl.status().ToString();
  const fs::path dir = cache_.path() / "peer-model";
  fs::create_directories(dir);
  for (const char* file : {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
    fs::copy_file(models_.llama3_dir / file, dir / file);
  }
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const auto hfctl_as_peer = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {hfctl->string(), "--socket", socket()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(AsUser(peer, argv));
  };
  const CommandResult ok = hfctl_as_peer({"--json", "tokenize", dir.string(), "Hello world"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("9906"), std::string::npos) << ok.out;  // "Hello" in Llama 3's vocabulary

  const fs::path secret = cache_.path() / "root-only.jinja";
  std::ofstream(secret) << "ROOT-ONLY-SECRET";
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  fs::create_symlink(secret, dir / "chat_template.jinja");
  const CommandResult refused = hfctl_as_peer({"chat", dir.string(), "--show-prompt", "hi"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ((refused.out + refused.err).find("ROOT-ONLY-SECRET"), std::string::npos)
      << refused.out << refused.err;
  EXPECT_NE(refused.err.find("chat_template.jinja"), std::string::npos) << refused.err;
}

// Files that never end or never answer: refused at once whoever names or passes them, and
// the daemon still answers and stops.
TEST_F(TrustBoundary, FifosAndDevicesAreRefusedAtOnce) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const fs::path dir = cache_.path() / "blocking-model";
  fs::create_directories(dir);
  fs::copy_file(models_.llama3_dir / "config.json", dir / "config.json");
  ASSERT_EQ(::mkfifo((dir / "tokenizer.json").c_str(), 0666), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const fs::path zero_dir = cache_.path() / "zero-model";
  fs::create_directories(zero_dir);
  fs::copy_file(models_.llama3_dir / "config.json", zero_dir / "config.json");
  fs::create_symlink("/dev/zero", zero_dir / "tokenizer.json");

  const auto quickly_refused = [&](const std::function<Result<json>()>& call) {
    const auto start = Clock::now();
    const Result<json> r = call();
    EXPECT_FALSE(r.ok());
    EXPECT_LT(Clock::now() - start, 10s);
    return r.status();
  };
  // Named by root, which the daemon opens paths for.
  for (const fs::path& model : {dir, zero_dir}) {
    const Status s = quickly_refused([&] {
      return Call("tokenize", {{"model", model.string()}, {"text", "hi"}});
    });
    EXPECT_NE(s.message().find("tokenizer.json"), std::string::npos) << s.ToString();
  }
  // Passed by the peer as descriptors.
  for (const std::string& file : {"tokenizer.json=" + (dir / "tokenizer.json").string(),
                                  std::string("tokenizer.json=/dev/zero")}) {
    const auto start = Clock::now();
    const json r = AsPeer("tokenize", {{"model", "/peer/model"}, {"text", "hi"}},
                          {"config.json=" + (dir / "config.json").string(), file});
    EXPECT_EQ(ErrorCode(r), "invalid_argument") << r.dump();
    EXPECT_NE(ErrorMessage(r).find("tokenizer.json"), std::string::npos) << r.dump();
    EXPECT_LT(Clock::now() - start, 10s);
  }
  CallOk("status");
  EXPECT_EQ(daemon_process().Terminate(), std::optional<int>(0)) << DaemonLog();
}

// The weights are read in place from the file the peer passed; the peer owns that file and
// can truncate it under the daemon. That costs its own requests an error, not the daemon.
TEST_F(TrustBoundary, AModelFileTruncatedWhileLoadedFailsItsRequestsNotTheDaemon) {
  HFD_REQUIRE_TEST_USER(peer);
  ASSERT_NO_FATAL_FAILURE(StartOpenDaemon(peer));
  const fs::path dir = cache_.path() / "peer-files";
  fs::create_directories(dir);
  const fs::path weights = dir / models_.llama3_q8.filename();
  fs::copy_file(models_.llama3_q8, weights);
  ASSERT_EQ(::chown(dir.c_str(), peer.uid, peer.gid), 0);
  ASSERT_EQ(::chown(weights.c_str(), peer.uid, peer.gid), 0);
  ASSERT_EQ(::chmod(weights.c_str(), 0644), 0);  // the fixtures are read-only
  const std::string passed = weights.filename().string() + "=" + weights.string();
  json params = ShortGenerate("/home/peer/tiny.gguf", 4);
  params["ctx"] = 256;
  const json first = AsPeer("generate", params, {passed});
  ASSERT_TRUE(first.contains("result")) << first.dump();

  const CommandResult cut =
      RunCommand(AsUser(peer, {"/usr/bin/truncate", "-s",
                               std::to_string(fs::file_size(weights) / 2), weights.string()}));
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  const json damaged = AsPeer("generate", params, {passed});
  EXPECT_EQ(ErrorCode(damaged), "corrupt") << damaged.dump();
  EXPECT_NE(ErrorMessage(damaged).find("truncated"), std::string::npos) << damaged.dump();
  CallOk("status");
  EXPECT_TRUE(Eventually([&] { return PsModels().empty(); }, 10s)) << PsModels().dump();

  // The file made whole again is a model again.
  fs::copy_file(models_.llama3_q8, weights, fs::copy_options::overwrite_existing);
  const json again = AsPeer("generate", params, {passed});
  EXPECT_TRUE(again.contains("result")) << again.dump();
}

TEST_F(TrustBoundary, UnknownModelNamesDoNotGrowTheMetrics) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  constexpr int kNames = 5000;
  for (int i = 0; i < kNames; ++i) {
    const std::string name = "nobody/" + std::string(200, 'x') + std::to_string(i);
    ASSERT_FALSE(client->Call("generate", ShortGenerate(name, 1)).ok());
  }
  const std::string metrics = MetricsText();
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests"), kNames);
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "model=\"other\""), kNames);
  EXPECT_LT(metrics.size(), 64u * 1024) << "one series per unknown name";
}

// A liveness check, not a benchmark: while pulls crawl, the answers that never wait on the
// network come at once (2 s is generous on 2 cores; they took up to 30 s before).
TEST_F(TrustBoundary, StatusPsUnloadAndFirstTokenAnswerWhilePullsCrawl) {
  constexpr int kPulls = 6;
  ASSERT_NO_FATAL_FAILURE(StartHub([](hub::testing::TestHubServer& hub) {
    for (int i = 0; i < kPulls; ++i) {
      hub.AddRandomFile("org/slow-" + std::to_string(i) + "-GGUF", "main", "slow-Q8_0.gguf",
                        8u << 20, 100 + i);
    }
  }));
  ASSERT_NO_FATAL_FAILURE(StartDaemon("[policy]\nmax_pulls_per_user = 8\n"));
  const std::string model = std::string(kLlama3GgufRepo) + ":Q8_0";
  CallOk("pull", {{"model", model}});
  CallOk("load", {{"model", model}, {"ctx", 256}});
  hub_->SetFaults(json::array({{{"kind", "slow"},
                                {"rate", 20000},
                                {"server", "storage"},
                                {"count", -1},
                                {"match", "slow-"}}}));
  std::vector<std::unique_ptr<BackgroundCall>> pulls;
  for (int i = 0; i < kPulls; ++i) {
    pulls.push_back(std::make_unique<BackgroundCall>(
        socket(), "pull", json{{"model", "org/slow-" + std::to_string(i) + "-GGUF"}}));
  }
  for (auto& p : pulls) ASSERT_TRUE(p->WaitFor("progress", 60s));

  const auto timed = [](const std::function<void()>& call) {
    const auto start = Clock::now();
    call();
    return Clock::now() - start;
  };
  EXPECT_LT(timed([&] { CallOk("status"); }), 2s);
  EXPECT_LT(timed([&] { CallOk("ps"); }), 2s);
  {
    BackgroundCall generation(socket(), "generate", ShortGenerate(model, 4));
    const auto start = Clock::now();
    ASSERT_TRUE(generation.WaitFor("token", 60s));
    EXPECT_LT(Clock::now() - start, 2s);
    EXPECT_TRUE(generation.Finish().status.ok());
  }
  EXPECT_LT(timed([&] { CallOk("unload", {{"model", model}}); }), 2s);
  EXPECT_EQ(CallOk("pulls")["pulls"].size(), static_cast<std::size_t>(kPulls + 1));
  // Stopping the daemon cancels the crawling pulls.
  StopDaemon();
  for (auto& p : pulls) EXPECT_FALSE(p->Finish().status.ok());
}

}  // namespace
}  // namespace hfd::testing
