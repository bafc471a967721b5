// JSON shapes of the serving methods' results (docs/protocol.md).
#pragma once

#include <nlohmann/json.hpp>

#include "serve/resident_model.h"

namespace hfd::daemon {

// One `ps` entry (also `load`'s result).
nlohmann::json ResidentJson(const serve::ResidentInfo& info);

}  // namespace hfd::daemon
