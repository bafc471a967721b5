// tokenizer.json's "normalizer" steps into a Normalizer.
#pragma once

#include <memory>
#include <span>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/normalizer.h"
#include "include/hfd/status.h"

namespace hfd::tok {

// The flattened steps of a normalizer (a Sequence's members in order). A type hfd does not
// know is an Unsupported error naming it; a Replace regex that does not compile is a
// Corrupt error naming the pattern.
Result<std::shared_ptr<const Normalizer>> ReadNormalizer(
    std::span<const nlohmann::json* const> steps);

}  // namespace hfd::tok
