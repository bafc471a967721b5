// How much of a model's weights is in memory now, for `ps`: weights stay memory-mapped, so
// the kernel pages them in as they are read (a mixture of experts only the experts its
// tokens were routed to) and may drop them again under memory pressure.
#pragma once

#include <cstdint>

#include "engine/model/model_files.h"

namespace hfd::serve {

// Bytes of the pages holding `files`' weights that are resident now (mincore(2) over each
// weight's pages, every page counted once). A few milliseconds for a file of many GB.
int64_t ResidentWeightBytes(const model::ModelFiles& files);

}  // namespace hfd::serve
