// Which Host headers a TCP listener answers (DNS rebinding).
#include "http/host_check.h"

#include <gtest/gtest.h>

namespace hfd::http {
namespace {

TEST(HostCheck, IpLiteralsLocalhostAndConfiguredOriginsPass) {
  const std::vector<std::string> origins = {"https://app.example:8443", "http://Tools.Lan"};
  for (const char* host : {"127.0.0.1:11435", "127.0.0.1", "[::1]:11435", "10.1.2.3:80",
                           "localhost", "LOCALHOST:11435", "app.example:8443", "tools.lan"}) {
    EXPECT_TRUE(CheckHost(host, origins).ok()) << host;
  }
}

TEST(HostCheck, OtherNamesAreRefusedSayingWhatToDo) {
  for (const char* host : {"rebound.example:11435", "", "localhost.evil.example",
                           "127.0.0.1.nip.io", "app.example.evil"}) {
    const Status s = CheckHost(host, {"https://app.example"});
    EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << host;
    EXPECT_NE(s.message().find("http.cors_origins"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace hfd::http
