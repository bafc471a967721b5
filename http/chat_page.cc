#include "http/chat_page.h"

#include <string>
#include <string_view>

#include "http/page_files.h"

namespace hfd::http {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string ContentTypeOf(std::string_view name) {
  const std::string_view extension = name.substr(name.rfind('.') + 1);
  if (extension == "html") return "text/html; charset=utf-8";
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "js") return "text/javascript; charset=utf-8";
  if (extension == "svg") return "image/svg+xml";
  return "application/octet-stream";
}

Reply PageReply(const PageFile& file) {
  Reply reply;
  reply.content_type = ContentTypeOf(file.name);
  reply.body = file.bytes;
  reply.headers = {{"Content-Security-Policy", kContentSecurityPolicy},
                   {"X-Content-Type-Options", "nosniff"},
                   {"Referrer-Policy", "no-referrer"},
                   // The files change with the daemon: revalidate rather than keep an old one.
                   {"Cache-Control", "no-cache"}};
  return reply;
}

}  // namespace

void AddChatPageRoutes(Router& router) {
  for (const PageFile& file : PageFiles()) {
    const std::string path = file.name == "index.html" ? "/" : "/page/" + std::string(file.name);
    router.Add(
        "GET", path, [&file](const Request&) { return PageReply(file); }, RouteAccess::kAnyone);
  }
}

}  // namespace hfd::http
