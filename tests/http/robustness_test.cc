// The HTTP door under bad input and misbehaving clients: a client that hangs up mid-stream
// cancels its generation and frees the slot for the next request, oversized bodies get
// 413, unfinished headers are cut off after the header timeout, a flood of idle
// connections is capped without locking others out, and the llm_* metrics count every
// door under its own `api` label. The daemon keeps serving throughout.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A connected socket to 127.0.0.1:port, or to a Unix socket path; -1 on failure.
int ConnectTcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ConnectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closes `fd` (read returns 0 or an error) within `timeout`.
bool ClosedWithin(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    if (::poll(&p, 1, 100) > 0 && ::read(fd, buf, sizeof(buf)) <= 0) return true;
  }
  return false;
}

class Robustness : public HttpTest {
 protected:
  void Start(const std::string& http_section) {
    port_ = FreeTcpPort();
    ASSERT_NO_FATAL_FAILURE(StartServing("http_listen = \"127.0.0.1:" + std::to_string(port_) +
                                         "\"\n[http]\n" + http_section));
  }
  int port_ = 0;
};

TEST_F(Robustness, AClientHangingUpMidStreamFreesTheSlotForTheNextRequest) {
  ASSERT_NO_FATAL_FAILURE(Start(""));
  CallOk("load", {{"model", kHttpModel}, {"ctx", kLongContext}, {"max_concurrency", 1}});
  json endless = ChatBody(-1, true);
  endless.erase("max_tokens");
  // curl gives up after 2 s: it closes the connection in the middle of the stream.
  const auto started = std::chrono::steady_clock::now();
  const HttpResult cut = Curl("POST", "/v1/chat/completions", endless.dump(), {"--max-time", "2"});
  EXPECT_NE(cut.body.find("data: "), std::string::npos) << "it was streaming";
  EXPECT_EQ(cut.body.find("[DONE]"), std::string::npos);
  // The next request gets the slot at once, not after the context is full.
  const json next = CallOk("generate", ShortGenerate(kHttpModel, 4));
  EXPECT_EQ(next["usage"]["completion_tokens"], 4);
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(20));
  ASSERT_TRUE(Eventually(
      [&] { return SumOfSamples(MetricsText(), "llm_failures", "reason=\"cancelled\"") == 1; },
      seconds(10)))
      << MetricsText();
  EXPECT_EQ(SumOfSamples(MetricsText(), "llm_failures", "api=\"openai\""), 1);
}

TEST_F(Robustness, EveryDoorIsCountedUnderItsApiLabel) {
  ASSERT_NO_FATAL_FAILURE(Start(""));
  CallOk("generate", ShortGenerate(kHttpModel, 2));
  EXPECT_EQ(Curl("POST", "/v1/chat/completions", ChatBody(2, false).dump()).status, 200);
  EXPECT_EQ(Curl("POST", "/v1/chat/completions", "{").status, 400);
  const json ollama = {{"model", kHttpModel},
                       {"prompt", "Hi"},
                       {"stream", false},
                       {"options", {{"num_predict", 2}}}};
  EXPECT_EQ(Curl("POST", "/api/generate", ollama.dump()).status, 200);
  const std::string metrics = MetricsText();
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests", "api=\"msgpack\""), 1) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests", "api=\"openai\""), 2) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests", "api=\"ollama\""), 1) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "api=\"openai\""), 1) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_completion_tokens_total", "api=\"ollama\""), 2);
  std::set<std::string> apis;
  for (const json& span : Spans("ai_completion")) apis.insert(span["attributes"].value("api", ""));
  EXPECT_EQ(apis, (std::set<std::string>{"msgpack", "openai", "ollama"}));
}

TEST_F(Robustness, ABodyOverTheLimitGets413) {
  ASSERT_NO_FATAL_FAILURE(Start("max_body_bytes = 2048\n"));
  json body = ChatBody(2, false);
  body["messages"][0]["content"] = std::string(4096, 'x');
  const HttpResult r = Curl("POST", "/v1/chat/completions", body.dump());
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("http.max_body_bytes"), std::string::npos) << r.body;
  EXPECT_EQ(Curl("GET", "/v1/models").status, 200);
}

TEST_F(Robustness, HeadersNeverFinishedAreCutOffAfterTheTimeout) {
  ASSERT_NO_FATAL_FAILURE(Start("header_timeout = 1\n"));
  const int fd = ConnectUnix(http_socket());
  ASSERT_GE(fd, 0);
  const std::string partial = "POST /v1/chat/completions HTTP/1.1\r\nHost: hfd\r\nX-Slow: ";
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  EXPECT_TRUE(ClosedWithin(fd, seconds(5)));
  ::close(fd);
  EXPECT_EQ(Curl("GET", "/v1/models").status, 200);
}

TEST_F(Robustness, AThousandIdleConnectionsAreCappedAndOthersAreStillServed) {
  ASSERT_NO_FATAL_FAILURE(Start("max_connections_per_level = 16\nheader_timeout = 60\n"));
  std::vector<int> idle;
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    const int fd = ConnectTcp(port_);
    if (fd < 0) {
      ++refused;
      continue;
    }
    idle.push_back(fd);
  }
  // Those over the cap at the TCP level (use) are closed at once.
  int closed = 0;
  for (int fd : idle) closed += ClosedWithin(fd, milliseconds(idle.size() > 16 ? 5 : 0)) ? 1 : 0;
  EXPECT_GE(closed + refused, 1000 - 16);
  // A local manager on the Unix socket is still served, and so is the MessagePack door.
  EXPECT_EQ(Curl("GET", "/v1/models").status, 200);
  CallOk("status");
  for (int fd : idle) ::close(fd);
  // Once they are gone, TCP clients are served again.
  EXPECT_TRUE(Eventually(
      [&] {
        return CurlUrl("GET", "http://127.0.0.1:" + std::to_string(port_) + "/api/version")
                   .status == 200;
      },
      seconds(10)));
}

TEST_F(Robustness, StatusAndHfctlStatusListTheHttpListeners) {
  ASSERT_NO_FATAL_FAILURE(Start(""));
  const std::string tcp = "127.0.0.1:" + std::to_string(port_);
  EXPECT_EQ(
      CallOk("status")["http_listeners"],
      json::parse(R"([{"transport": "unix", "address": ")" + http_socket() +
                  R"(", "activation": "self-bound"}, {"transport": "tcp", "address": ")" + tcp +
                  R"(", "activation": "self-bound", "url": "http://)" + tcp + R"(/"}])"));
  const CommandResult r = RunCommand({BinaryFromEnv("HFCTL_BIN"), "--socket", socket(), "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("unix:" + http_socket() + " (self-bound), http://" + tcp + "/ (self-bound)"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("chat page: +http://" + tcp + "/"))) << r.out;
}

TEST(HttpActivation, TheHttpSocketCanComeFromSystemdByItsName) {
  if (::access(kSocketActivatePath, X_OK) != 0) GTEST_SKIP() << "systemd-socket-activate missing";
  TempDir dir;
  const std::string msgpack = (dir.path() / "hfd.sock").string();
  const std::string http = (dir.path() / "api.sock").string();
  std::vector<std::string> argv = SocketActivateCommand(msgpack, {});
  argv.insert(argv.end(), {"--listen=" + http, "--fdname=hfd:http", BinaryFromEnv("HFD_BIN"),
                           "--log-target", "stderr"});
  auto activator = ChildProcess::Start(argv, {}, dir.path() / "hfd.log");
  ASSERT_NE(activator, nullptr);
  // The first connection, on the HTTP socket, starts hfd with both sockets.
  ASSERT_TRUE(WaitForSocket(http, seconds(10)));
  const CommandResult r = RunCommand({"/usr/bin/curl", "-sS", "--max-time", "30", "--unix-socket",
                                      http, "http://hfd/api/version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(json::parse(r.out, nullptr, false).contains("version")) << r.out;
  std::ifstream log(dir.path() / "hfd.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("unix:" + http + " (socket-activated)"), std::string::npos)
      << text.str();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "hfd-http.sock")) << "nothing self-bound";
  auto client = ConnectOrFail(msgpack);
  ASSERT_NE(client, nullptr);
  const Result<json> status = client->Call("status", json::object());
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["http_listeners"],
            json::parse(R"([{"transport": "unix", "address": ")" + http +
                        R"(", "activation": "socket-activated"}])"));
  activator->Terminate();
}

}  // namespace
}  // namespace hfd::testing
