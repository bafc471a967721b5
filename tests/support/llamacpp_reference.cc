#include "tests/support/llamacpp_reference.h"

#include <nlohmann/json.hpp>

namespace hfd::testing {

std::vector<LlamaCppCase> ParseLlamaCpp(const std::string& all) {
  std::vector<LlamaCppCase> cases;
  size_t at = 0;
  while ((at = all.find("=== ", at)) != std::string::npos) {
    const size_t header_end = all.find('\n', at);
    const std::string header = all.substr(at + 4, header_end - at - 4);
    const size_t bar = header.find(" | ");
    const size_t ids_at = all.find("\n\n[", header_end);
    const size_t ids_end = all.find(']', ids_at);
    LlamaCppCase c{header.substr(0, bar),
                   header.substr(bar + 3),
                   all.substr(header_end + 1, ids_at - header_end - 1),
                   {}};
    c.ids = nlohmann::json::parse(all.substr(ids_at + 2, ids_end - ids_at - 1))
                .get<std::vector<int32_t>>();
    cases.push_back(std::move(c));
    at = ids_end;
  }
  return cases;
}

}  // namespace hfd::testing
