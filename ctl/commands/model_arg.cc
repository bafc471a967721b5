#include "ctl/commands/model_arg.h"

#include <cstdlib>
#include <filesystem>

#include "hub/gguf_files.h"
#include "hub/model_ref.h"

namespace hfd::ctl {
namespace {

namespace fs = std::filesystem;

// A local path: written as one (/, ./, ../, ~/), or a name that exists here as a .gguf
// file, or as a folder when it has no slash (org/name stays a Hub id), as people type
// `hfctl run model.gguf` in the model's folder.
bool NamesLocalModel(const std::string& model) {
  if (hub::IsLocalPath(model)) return true;
  std::error_code ec;
  const fs::file_status status = fs::status(model, ec);
  if (ec) return false;
  if (fs::is_regular_file(status)) return hub::IsGgufName(model);
  return fs::is_directory(status) && model.find('/') == std::string::npos;
}

}  // namespace

std::string ModelArgument(const std::string& model) {
  if (!NamesLocalModel(model)) return model;
  fs::path path = model;
  if (model.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    path = fs::path(home != nullptr ? home : "") / model.substr(2);
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal().string();
}

Result<std::string> OpenModelArgument(Session& session, const std::string& model) {
  std::string argument = ModelArgument(model);
  if (!hub::IsLocalPath(argument)) return argument;
  Result<client::LocalModelFiles> files = client::OpenLocalModel(argument);
  if (!files.ok()) {
    session.out().Error(files.status());
    return files.status();
  }
  session.PassFiles(std::move(files).value());
  return argument;
}

}  // namespace hfd::ctl
