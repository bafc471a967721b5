#include "engine/model/sentence_transformers.h"

#include <nlohmann/json.hpp>

#include "engine/io/read_small_file.h"

namespace hfd::model {

using nlohmann::json;

Result<std::string> PoolingModuleFolder(std::string_view modules_json,
                                        std::string_view modules_label) {
  const std::string label(modules_label);
  const json doc = json::parse(modules_json.begin(), modules_json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return Corrupt(label + " is not a JSON list");
  for (const json& module : doc) {
    if (!module.is_object()) continue;
    const auto type = module.find("type");
    const auto path = module.find("path");
    if (type != module.end() && type->is_string() &&
        type->get<std::string>() == "sentence_transformers.models.Pooling" &&
        path != module.end() && path->is_string()) {
      return path->get<std::string>();
    }
  }
  return std::string();
}

Result<Pooling> ParsePoolingConfig(std::string_view config_json,
                                   std::string_view pooling_config_label) {
  const std::string label(pooling_config_label);
  const json c = json::parse(config_json.begin(), config_json.end(), nullptr, false);
  if (c.is_discarded() || !c.is_object()) return Corrupt(label + " is not a JSON object");
  struct Mode {
    const char* key;
    Pooling pooling;
  };
  constexpr Mode kModes[] = {{"pooling_mode_mean_tokens", Pooling::kMean},
                             {"pooling_mode_cls_token", Pooling::kCls},
                             {"pooling_mode_lasttoken", Pooling::kLast}};
  Pooling found = Pooling::kNone;
  for (const auto& [key, value] : c.items()) {
    if (!key.starts_with("pooling_mode_") || !value.is_boolean() || !value.get<bool>()) continue;
    const Mode* mode = nullptr;
    for (const Mode& m : kModes) mode = key == m.key ? &m : mode;
    if (mode == nullptr) {
      std::string what = label;
      what += " sets \"" + key + "\", a pooling hfd does not run (it runs mean, cls and last)";
      return Unsupported(what);
    }
    if (found != Pooling::kNone) {
      return Unsupported(label + " sets more than one pooling_mode_*; hfd pools one way");
    }
    found = mode->pooling;
  }
  if (found == Pooling::kNone) return Corrupt(label + " sets no pooling_mode_*");
  return found;
}

Result<Pooling> PoolingFromSentenceTransformers(const io::ModelFileSet& files) {
  if (!files.Has("modules.json")) return Pooling::kNone;
  HFD_ASSIGN_OR_RETURN(const std::string modules,
                       io::ReadSmallFile(files, "modules.json", io::kConfigMaxBytes));
  HFD_ASSIGN_OR_RETURN(const std::string folder,
                       PoolingModuleFolder(modules, files.Label("modules.json")));
  if (folder.empty()) return Pooling::kNone;
  const std::string name = folder + "/config.json";
  HFD_ASSIGN_OR_RETURN(const std::string config,
                       io::ReadSmallFile(files, name, io::kConfigMaxBytes));
  return ParsePoolingConfig(config, files.Label(name));
}

}  // namespace hfd::model
