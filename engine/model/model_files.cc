#include "engine/model/model_files.h"

#include "engine/model/model_files_impl.h"

namespace hfd::model {

Result<std::unique_ptr<ModelFiles>> OpenModelFiles(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return NotFound("model path " + path.string() + " does not exist");
  }
  std::unique_ptr<ModelFiles> files;
  if (std::filesystem::is_directory(status)) {
    HFD_ASSIGN_OR_RETURN(files, internal::OpenHfModel(path));
  } else {
    HFD_ASSIGN_OR_RETURN(files, internal::OpenGgufModel(path));
  }
  HFD_RETURN_IF_ERROR(internal::CheckWeightShapes(*files).WithContext(path.string()));
  return files;
}

}  // namespace hfd::model
