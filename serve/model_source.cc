#include "serve/model_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "engine/io/beneath_root_file_set.h"
#include "engine/io/local_file_set.h"
#include "hub/gguf_files.h"
#include "hub/repo_cache.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

// The GGUF files of `files` with their sizes.
Result<std::vector<hub::ListedFile>> GgufListing(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string> names, files.Names());
  std::vector<hub::ListedFile> out;
  for (const std::string& name : names) {
    if (!hub::IsGgufName(name)) continue;
    HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
    out.push_back({name, static_cast<uint64_t>(st.st_size)});
  }
  return out;
}

// Which file of `files` to serve (none for a checkpoint: the files hold tokenizer.json),
// chosen as a pull chooses: the GGUF model carrying `quant`, else the only one, else the
// one hub::DefaultGguf picks.
Status PickModelFile(const io::ModelFileSet& files, const std::string& quant, ModelSource& out) {
  if (files.Has("tokenizer.json")) return Status::Ok();
  HFD_ASSIGN_OR_RETURN(const std::vector<hub::ListedFile> listing, GgufListing(files));
  HFD_ASSIGN_OR_RETURN(const std::vector<hub::GgufModel> models, hub::GgufModels(listing, true));
  const hub::GgufModel* chosen = nullptr;
  if (quant.empty()) {
    chosen = hub::DefaultGguf(models);
    out.quant_picked = models.size() > 1;
  } else {
    for (const hub::GgufModel& m : models) {
      if (!hub::GgufNameHasQuant(m.files.front(), quant)) continue;
      if (chosen != nullptr) {
        return InvalidArgument("more than one GGUF file of " + files.description() +
                               " carries quant '" + quant + "': " + chosen->files.front() +
                               " and " + m.files.front());
      }
      chosen = &m;
    }
  }
  if (chosen == nullptr) {
    return NotFound(files.description() + " has no tokenizer.json and no " +
                    (quant.empty() ? "" : quant + " ") + ".gguf file" +
                    (models.empty() ? "" : "; it holds quants " + hub::QuantList(models)));
  }
  out.gguf = chosen->files.front();
  out.quant = chosen->quant;
  return Status::Ok();
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
    HFD_RETURN_IF_ERROR(PickModelFile(*out.files, "", out));
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
  out.quant = hub::QuantOfGgufName(out.gguf);
  return out;
}

Result<ModelSource> HubSnapshotSource(const fs::path& repo_dir, const std::string& commit,
                                      const std::string& quant) {
  ModelSource out;
  HFD_ASSIGN_OR_RETURN(out.files, io::OpenBeneathRoot(repo_dir, "snapshots/" + commit));
  HFD_RETURN_IF_ERROR(PickModelFile(*out.files, quant, out));
  out.display = out.gguf.empty() ? out.files->description() : out.files->Label(out.gguf);
  out.key = out.display;
  out.derived = std::make_shared<model::DerivedStore>(
      repo_dir.parent_path(), repo_dir.filename().string() + "/" + hub::RepoCache::kDerivedFolder);
  return out;
}

Result<ModelSource> PassedModelSource(std::string name,
                                      std::shared_ptr<const io::ModelFileSet> files) {
  ModelSource out;
  HFD_RETURN_IF_ERROR(PickModelFile(*files, "", out));
  HFD_ASSIGN_OR_RETURN(out.key, PassedKey(*files));
  out.files = std::move(files);
  out.display = std::move(name);
  return out;
}

}  // namespace hfd::serve
