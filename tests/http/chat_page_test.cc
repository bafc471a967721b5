// The built-in chat page: served on both listeners with its content types and a strict
// Content-Security-Policy, self-contained (nothing fetched from elsewhere), and open to
// anyone who may connect while the API behind it still asks for the key; and in headless
// Chromium (chat_page_browser.py), where it chats, streams and stops a generation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

constexpr const char* kKey = "sk-chat-page";
constexpr const char* kPython = "/usr/bin/python3";

// Why the browser test cannot run here, or "" when it can.
std::string BrowserMissing() {
  for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver", kPython}) {
    if (::access(tool, X_OK) != 0) {
      return std::string(tool) + " is missing (scripts/install-deps.sh installs it)";
    }
  }
  if (RunCommand({kPython, "-c", "import selenium"}).exit_code != 0) {
    return "python3-selenium is missing (scripts/install-deps.sh installs it)";
  }
  return "";
}

class ChatPage : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    port_ = FreeTcpPort();
    ASSERT_NO_FATAL_FAILURE(StartServing("http_listen = \"127.0.0.1:" + std::to_string(port_) +
                                         "\"\n[http]\napi_keys = [{key = \"" + kKey +
                                         "\", level = \"use\"}]\n"));
  }
  std::string tcp_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port_ = 0;
};

TEST_F(ChatPage, ItsFilesAreServedWithTheirTypesAndAStrictPolicyOnBothListeners) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"/", "text/html; charset=utf-8"},
      {"/page/chat.js", "text/javascript; charset=utf-8"},
      {"/page/chat.css", "text/css; charset=utf-8"},
      {"/page/icon.svg", "image/svg+xml"}};
  for (const auto& [path, type] : files) {
    // On TCP without a key: the page must load before the key can be typed into it.
    for (const HttpResult& r : {Curl("GET", path), CurlUrl("GET", tcp_url(path))}) {
      ASSERT_EQ(r.status, 200) << path << r.body << r.error;
      EXPECT_EQ(r.Header("content-type"), type) << path;
      EXPECT_EQ(r.Header("content-security-policy"),
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
          << path;
      EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << path;
      EXPECT_FALSE(r.body.empty()) << path;
      if (path != "/page/icon.svg") {
        // Works offline: no address elsewhere (the SVG's xmlns is a name, not a fetch).
        EXPECT_EQ(r.body.find("://"), std::string::npos) << path;
      }
    }
  }
  const std::string html = Curl("GET", "/").body;
  for (const char* uses : {"src=\"/page/chat.js\"", "href=\"/page/chat.css\""}) {
    EXPECT_NE(html.find(uses), std::string::npos) << uses;
  }
  // No inline code the policy would block.
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find(" style="), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(" on[a-z]+="))) << "an inline event handler";
}

TEST_F(ChatPage, TheApiBehindItStillNeedsTheKey) {
  const HttpResult no_key = CurlUrl("GET", tcp_url("/v1/models"));
  EXPECT_EQ(no_key.status, 401) << no_key.body;
  const HttpResult with_key = CurlUrl("GET", tcp_url("/v1/models"), "",
                                      {"-H", std::string("Authorization: Bearer ") + kKey});
  EXPECT_EQ(with_key.status, 200) << with_key.body;
  // A request the page does not serve is refused as before, key or not.
  EXPECT_EQ(CurlUrl("POST", tcp_url("/"), "{}").status, 401);
  EXPECT_EQ(CurlUrl("GET", tcp_url("/page/missing.js")).status, 401);
  EXPECT_EQ(Curl("POST", "/", "{}").status, 405);
  EXPECT_EQ(Curl("GET", "/page/missing.js").status, 404);
}

TEST_F(ChatPage, HeadAnswersLikeGetWithoutTheBody) {
  const HttpResult r = CurlUrl("HEAD", tcp_url("/"), "", {"--head"});
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("content-length"), std::to_string(Curl("GET", "/").body.size()));
  EXPECT_TRUE(r.body.empty());
}

TEST_F(ChatPage, HeadlessChromiumChatsSeesTheAnswerStreamAndStopsIt) {
  if (const std::string missing = BrowserMissing(); !missing.empty()) {
    if (RunningInCi()) GTEST_FAIL() << missing;
    GTEST_SKIP() << missing;
  }
  // A long context: an answer without a token limit runs for seconds, long enough to stop.
  CallOk("load", {{"model", kHttpModel}, {"ctx", kLongContext}});
  const char* build = std::getenv("HFD_BUILD_DIR");
  const std::filesystem::path screenshot =
      std::filesystem::path(build != nullptr ? build : "/tmp") / "chat_page.png";
  std::filesystem::remove(screenshot);
  const CommandResult r =
      RunCommand({kPython, HFD_CHAT_PAGE_BROWSER, "--url", tcp_url("/"), "--model", kHttpModel,
                  "--key", kKey, "--screenshot", screenshot.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json seen = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(seen.is_object()) << r.out << r.err;
  std::cout << "browser saw: " << seen.dump() << "\n";
  EXPECT_GT(seen.value("updates", 0), 1) << "the stopped answer did not stream";
  ASSERT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 0u);

  // The daemon cancelled the stopped generation: the page's two chats, one cancelled.
  ASSERT_TRUE(Eventually(
      [&] { return SumOfSamples(MetricsText(), "llm_failures", "reason=\"cancelled\"") == 1; },
      std::chrono::seconds(10)))
      << MetricsText();
  const std::string metrics = MetricsText();
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests", "api=\"openai\""), 2) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "api=\"openai\""), 1) << metrics;
}

}  // namespace
}  // namespace hfd::testing
