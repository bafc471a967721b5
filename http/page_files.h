// The chat page's files (http/page/), compiled into the binary at build time by
// http/page/embed_page.cmake: the page works offline and always matches the daemon.
#pragma once

#include <span>
#include <string_view>

namespace hfd::http {

struct PageFile {
  std::string_view name;  // its file name in http/page/, e.g. "chat.js"
  std::string_view bytes;
};

// Every file of the page; static storage.
std::span<const PageFile> PageFiles();

}  // namespace hfd::http
