// Answers "is this pull already satisfied by the cache?" without the network.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hub/file_selection.h"
#include "hub/repo_cache.h"

namespace hfd::hub {

// The files `request` selects from snapshots/{commit}, when that selection is complete: the
// same selection rules as for a remote listing, plus every shard named by a
// model.safetensors.index.json and every part of a split GGUF. nullopt when incomplete.
std::optional<Selection> CompleteLocalSelection(const RepoCache& cache, const std::string& commit,
                                                const SelectionRequest& request);

// The files of snapshots/{commit} that StatSnapshotFile finds, with their sizes, sorted.
std::vector<ListedFile> ListSnapshot(const RepoCache& cache, const std::string& commit);

}  // namespace hfd::hub
