// A model's files as the serving core reads them: the set of files (a Hub snapshot, a local
// path, or descriptors a client passed), which of them is the GGUF, and the identity that
// makes two requests for the same files share one resident model.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "engine/io/model_file_set.h"
#include "engine/model/derived_weights.h"
#include "hfd/status.h"

namespace hfd::serve {

// Copyable; copies share the files. Immutable.
struct ModelSource {
  std::shared_ptr<const io::ModelFileSet> files;
  std::string gguf;           // the GGUF file among `files`; empty for a Hugging Face checkpoint
  std::string quant;          // the quant tag of `gguf`'s name ("Q4_K_M"); "" when none
  bool quant_picked = false;  // several GGUF models: no quant asked, hub::DefaultGguf chose
  std::string display;        // for `ps` and messages: the path named, or the snapshot's file
  // Where a Hub model came from (the revision as named, the commit it resolved to); empty
  // for a local path or passed files.
  std::string repo_id, revision, commit;
  // Resident models and cached tokenizers are keyed by it: the snapshot and file for the
  // Hub, the canonical path for a local path, the files' (device, inode) for passed ones.
  std::string key;
  // Where weights repacked at load are kept (gpt-oss's safetensors experts): the Hub repo
  // folder's .hfd-derived, or for a local path or passed files the daemon's derived folder
  // (DaemonDerivedStore); null when there is none (repacked in memory).
  std::shared_ptr<const model::DerivedStore> derived;
};

// The store of the Hub repo folder `repo_dir`: its .hfd-derived (hub::RepoCache).
std::shared_ptr<const model::DerivedStore> RepoDerivedStore(const std::filesystem::path& repo_dir);

// The store for a local source's derived weights in the daemon's folder `dir` (docs/daemon.md,
// models.derived_dir; created on first use, its parent must exist), its files recording
// `origin` (model::DerivedStore); null when `dir` is empty (no folder: repacked in memory).
std::shared_ptr<const model::DerivedStore> DaemonDerivedStore(const std::filesystem::path& dir,
                                                              std::string origin);

// Removes the derived files of the daemon's folder `dir` whose sources are gone or changed,
// or that cannot be checked and went unused for a month (model::IsStale).
Result<model::PruneResult> PruneDaemonDerived(const std::filesystem::path& dir);

// Removes the derived files of the Hub repo folder `repo_dir` built from any of `removed`
// ((inode, size) of blobs `hfctl rm` deleted): another revision that shares them lost none.
Result<model::PruneResult> PruneRepoDerived(const std::filesystem::path& repo_dir,
                                            const std::set<std::pair<uint64_t, uint64_t>>& removed);

// An absolute local path: a .gguf file (named as the caller named it, so a snapshot's link
// to a blob keeps its name) or a directory, chosen in as a snapshot is; opened with the
// daemon's own rights. Only for callers the serving core lets name paths. Its derived
// weights go to DaemonDerivedStore(`derived_dir`), keyed by the folder it reads.
Result<ModelSource> LocalModelSource(const std::filesystem::path& path,
                                     const std::filesystem::path& derived_dir = {});

// The snapshot `commit` of the Hub repo folder `repo_dir`, read beneath that folder: a
// checkpoint when it has tokenizer.json, else its GGUF model carrying `quant`
// (hub::GgufNameHasQuant), else its only one, else the one hub::DefaultGguf picks.
Result<ModelSource> HubSnapshotSource(const std::filesystem::path& repo_dir,
                                      const std::string& commit, const std::string& quant);

// Files a client passed (io::MakePassedFileSet), named `name` by the client (the path it
// opened them from). Chosen as in a snapshot: a checkpoint when tokenizer.json is among
// them, else the GGUF model chosen as in a snapshot. Its derived weights go to
// DaemonDerivedStore(`derived_dir`); the daemon has no path to check their sources by, so
// they go when unused for a month.
Result<ModelSource> PassedModelSource(std::string name,
                                      std::shared_ptr<const io::ModelFileSet> files,
                                      const std::filesystem::path& derived_dir = {});

}  // namespace hfd::serve
