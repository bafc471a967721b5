// The two ModelFiles implementations and their shared checks (internal to model/).
#pragma once

#include <memory>

#include "engine/model/model_files.h"

namespace hfd::model::internal {

// Both: weights derived at load (ModelFiles::Derive) go to a file of `derived` (null: into
// memory).
Result<std::unique_ptr<ModelFiles>> OpenGgufModel(const io::ModelFileSet& files,
                                                  std::string_view name,
                                                  const DerivedStore* derived);
Result<std::unique_ptr<ModelFiles>> OpenHfModel(const io::ModelFileSet& files,
                                                const DerivedStore* derived);

// Every weight the description implies exists with the shape it implies.
Status CheckWeightShapes(const ModelFiles& files);

// Turns a tensor shape into "[a, b]" for messages.
std::string ShapeString(const std::vector<int64_t>& shape);

}  // namespace hfd::model::internal
