#include "ctl/commands/model_arg.h"

#include <cstdlib>
#include <filesystem>

#include "hub/model_ref.h"

namespace hfd::ctl {

std::string ModelArgument(const std::string& model) {
  if (!hub::IsLocalPath(model)) return model;
  std::filesystem::path path = model;
  if (model.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    path = std::filesystem::path(home != nullptr ? home : "") / model.substr(2);
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal().string();
}

Result<std::string> OpenModelArgument(Session& session, const std::string& model) {
  std::string argument = ModelArgument(model);
  if (!hub::IsLocalPath(model)) return argument;
  Result<client::LocalModelFiles> files = client::OpenLocalModel(argument);
  if (!files.ok()) {
    session.out().Error(files.status());
    return files.status();
  }
  session.PassFiles(std::move(files).value());
  return argument;
}

}  // namespace hfd::ctl
