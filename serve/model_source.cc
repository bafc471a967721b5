#include "serve/model_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "engine/io/beneath_root_file_set.h"
#include "engine/io/local_file_set.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "" for a checkpoint (the files hold tokenizer.json), else the GGUF file to serve.
Result<std::string> PickModelFile(const io::ModelFileSet& files, const std::string& quant) {
  if (files.Has("tokenizer.json")) return std::string();
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string> names, files.Names());
  std::vector<std::string> ggufs;
  std::copy_if(names.begin(), names.end(), std::back_inserter(ggufs),
               [](const std::string& name) { return name.ends_with(".gguf"); });
  const std::string wanted = Lower(quant);
  for (const std::string& name : ggufs) {
    if (!wanted.empty() && Lower(name).find(wanted) != std::string::npos) return name;
  }
  if (!ggufs.empty() && wanted.empty()) return ggufs.front();
  return NotFound(files.description() + " has no tokenizer.json and no " +
                  (quant.empty() ? "" : quant + " ") + ".gguf file");
}

// "name=device:inode;" for each passed file: the same files, passed by anyone, give the
// same key, and a file a caller did not pass can never be part of its key.
Result<std::string> PassedKey(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string> names, files.Names());
  std::string key = "passed:";
  for (const std::string& name : names) {
    HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
    key += name + "=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ";";
  }
  return key;
}

}  // namespace

Result<ModelSource> LocalModelSource(const fs::path& path) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) return NotFound("model path " + path.string() + ": " + ec.message());
  ModelSource out;
  out.display = path.string();
  out.key = canonical.string();
  if (fs::is_directory(canonical, ec)) {
    HFD_ASSIGN_OR_RETURN(out.files, io::OpenLocalDirectory(path));
    HFD_ASSIGN_OR_RETURN(out.gguf, PickModelFile(*out.files, ""));
    if (!out.gguf.empty()) out.key = (canonical / out.gguf).string();
    return out;
  }
  HFD_ASSIGN_OR_RETURN(io::LocalFile local, io::OpenLocalFile(path));
  if (!local.name.ends_with(".gguf")) {
    return InvalidArgument(path.string() +
                           " is neither a .gguf file nor a model directory with tokenizer.json");
  }
  out.files = std::move(local.files);
  out.gguf = std::move(local.name);
  return out;
}

Result<ModelSource> HubSnapshotSource(const fs::path& repo_dir, const std::string& commit,
                                      const std::string& quant) {
  ModelSource out;
  HFD_ASSIGN_OR_RETURN(out.files, io::OpenBeneathRoot(repo_dir, "snapshots/" + commit));
  HFD_ASSIGN_OR_RETURN(out.gguf, PickModelFile(*out.files, quant));
  out.display = out.gguf.empty() ? out.files->description() : out.files->Label(out.gguf);
  out.key = out.display;
  return out;
}

Result<ModelSource> PassedModelSource(std::string name,
                                      std::shared_ptr<const io::ModelFileSet> files) {
  ModelSource out;
  HFD_ASSIGN_OR_RETURN(out.gguf, PickModelFile(*files, ""));
  HFD_ASSIGN_OR_RETURN(out.key, PassedKey(*files));
  out.files = std::move(files);
  out.display = std::move(name);
  return out;
}

}  // namespace hfd::serve
