// The models an app can name, as the HTTP APIs list them (GET /v1/models, GET /api/tags):
// one entry per quant of each cached GGUF repo (`org/name:Q4_K_M`), one per other cached
// repo, and every resident model that is a local file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::http {

struct CatalogEntry {
  std::string id;        // the name to request it by
  std::string repo_id;   // "org/name"; empty for a local file
  std::string quant;     // "Q4_K_M"; empty when the repo has no quants
  std::string commit;    // the snapshot's commit
  uint64_t size = 0;     // bytes: the GGUF file's, else the snapshot's
  int64_t modified = 0;  // unix seconds
};

// `caller` needs the read level.
Result<std::vector<CatalogEntry>> ListModels(const serve::Service& service,
                                             const serve::Caller& caller);

}  // namespace hfd::http
