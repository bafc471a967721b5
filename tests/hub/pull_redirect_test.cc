// Redirects hfd must not follow (issue 13, finding 7): to another scheme (gopher:// carries
// an HTTP request's bytes to any local port) or to plain http from an https endpoint. Each
// is refused with an error that names where it led, nothing reaches the target, and the
// Hub's own redirects (to its storage host) keep working.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/unique_fd.h"
#include "hub/hub_client.h"
#include "hub/transfer_loop.h"
#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

using nlohmann::json;

// A TCP port on 127.0.0.1 that listens but accepts only when asked whether anyone came:
// the kernel completes a client's connection into the backlog, so any connection shows.
class WatchedPort {
 public:
  WatchedPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_.get(), 8) != 0 ||
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(addr.sin_port);
  }

  int port() const { return port_; }
  std::string origin(const std::string& scheme) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }
  bool AnyoneConnected() const {
    UniqueFd client(::accept(fd_.get(), nullptr, nullptr));
    return client.valid();
  }

 private:
  UniqueFd fd_;
  int port_ = 0;
};

class PullRedirectTest : public PullTestBase {
 protected:
  // Pulls `model` with a `kind` redirect to `target` injected on the API server (a resolve)
  // and then on the storage host: each pull is refused, naming the target's origin and
  // what hfd follows, and nothing connects to the target.
  void ExpectRedirectRefused(const std::string& kind, const std::string& model,
                             const WatchedPort& target, const std::string& scheme,
                             const std::string& allowed) {
    for (const json& where :
         {json{{"server", "api"}, {"match", "/resolve/"}}, json{{"server", "storage"}}}) {
      hub_.Reset();
      json fault = where;
      fault["kind"] = kind;
      fault["port"] = target.port();
      hub_.SetFaults(json::array({fault}));
      const Status refused = Pull(model, "hf_known").status();
      EXPECT_EQ(refused.code(), ErrorCode::kPermissionDenied) << refused.ToString();
      EXPECT_NE(refused.message().find(target.origin(scheme)), std::string::npos)
          << refused.message();
      EXPECT_NE(refused.message().find("hfd follows only " + allowed), std::string::npos)
          << refused.message();
      EXPECT_FALSE(target.AnyoneConnected()) << where.dump();
    }
  }
};

TEST_F(PullRedirectTest, GopherRedirectIsRefusedAndNothingReachesItsPort) {
  AddTinyModel("org/tiny", "main", 100000);
  const WatchedPort target;
  ExpectRedirectRefused("gopher", "org/tiny", target, "gopher", "http and https");
  EXPECT_TRUE(sleeps().empty());  // a refusal is not retried

  hub_.Reset();
  auto pulled = Pull("org/tiny");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(ReadSnapshotFile(*pulled, "model.safetensors").size(), 100000u);
}

TEST_F(PullRedirectTest, TheTransportSpeaksNothingButHttpAndHttps) {
  const WatchedPort target;
  TransferLoop loop;
  const HubClient http_endpoint(hub_.endpoint(), "", "", {}, {}, &loop);
  HttpRequest gopher;
  gopher.url = target.origin("gopher") + "/_GET%20/";
  EXPECT_EQ(http_endpoint.Send(gopher, {"org/tiny", "", ""}, nullptr).status().code(),
            ErrorCode::kPermissionDenied);
  const HubClient https_endpoint("https://127.0.0.1:1", "", "", {}, {}, &loop);
  HttpRequest plain;
  plain.url = target.origin("http") + "/";
  const Status refused = https_endpoint.Send(plain, {"org/tiny", "", ""}, nullptr).status();
  EXPECT_EQ(refused.code(), ErrorCode::kPermissionDenied) << refused.ToString();
  EXPECT_NE(refused.message().find("only https"), std::string::npos) << refused.message();
  EXPECT_FALSE(target.AnyoneConnected());
}

class PullRedirectTlsTest : public PullRedirectTest {
 protected:
  void SetUp() override { ASSERT_TRUE(hub_.Start({"hf_known"}, 2, /*tls=*/true)); }
};

TEST_F(PullRedirectTlsTest, HttpsEndpointRefusesADowngradeToHttp) {
  ASSERT_EQ(Config().endpoint.substr(0, 8), "https://");
  AddTinyModel("org/tiny", "main", 100000);
  // The Hub's own redirect to its (https) storage host is followed, without the token.
  auto pulled = Pull("org/tiny", "hf_known");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_FALSE(storage[0]["authorization"].get<bool>());

  AddTinyModel("org/other", "main", 100000, 2);
  const WatchedPort target;
  ExpectRedirectRefused("downgrade", "org/other", target, "http",
                        "https from the https endpoint " + hub_.endpoint());
}

}  // namespace
}  // namespace hfd::hub::testing
