#include "engine/model/model_files.h"

#include "engine/io/local_file_set.h"
#include "engine/model/fused_weights.h"
#include "engine/model/model_files_impl.h"

namespace hfd::model {

Result<std::unique_ptr<ModelFiles>> OpenModelFiles(const io::ModelFileSet& files,
                                                   std::string_view gguf_name,
                                                   const DerivedStore* derived) {
  std::unique_ptr<ModelFiles> model;
  if (gguf_name.empty()) {
    HFD_ASSIGN_OR_RETURN(model, internal::OpenHfModel(files, derived));
  } else {
    HFD_ASSIGN_OR_RETURN(model, internal::OpenGgufModel(files, gguf_name, derived));
  }
  const Architecture arch = model->desc().arch;
  if (arch == Architecture::kPhi3 || arch == Architecture::kNomicBert) {
    model = SplitFusedWeights(std::move(model));
  }
  const std::string where = gguf_name.empty() ? files.description() : files.Label(gguf_name);
  HFD_RETURN_IF_ERROR(internal::CheckWeightShapes(*model).WithContext(where));
  return model;
}

Result<std::unique_ptr<ModelFiles>> OpenModelFiles(const std::filesystem::path& path,
                                                   const DerivedStore* derived) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return NotFound("model path " + path.string() + " does not exist");
  }
  if (std::filesystem::is_directory(status)) {
    HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::ModelFileSet> files, io::OpenLocalDirectory(path));
    return OpenModelFiles(*files, "", derived);
  }
  HFD_ASSIGN_OR_RETURN(io::LocalFile local, io::OpenLocalFile(path));
  return OpenModelFiles(*local.files, local.name, derived);
}

}  // namespace hfd::model
