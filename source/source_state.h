#pragma once
// SourceState: where a channel stands, kept in a file beside its key, so
// that a source that crashed and is started again goes on from there. Its
// chunks then take numbers never used before: a viewer would take an old
// number for the chunk it holds already, and wait for the one after its
// last. The position is saved before each chunk is published, so a crash
// at worst leaves a number unused.
//
// The file is JSON: {"next_seq", "media_end_us", "at_ms"}; written to a
// temporary file and renamed over, so a crash never leaves half a file.

#include <optional>
#include <string>

#include "media/ingest.h"
#include "media/result.h"

namespace shoal {

// The state file of the key at `key_path`.
std::string state_path_for(const std::string& key_path);

// The position saved at `path`; nullopt if there is none. A file that is not
// a position is an error (naming the file), not a fresh start.
Result<std::optional<StreamPosition>> load_position(const std::string& path);

Result<std::monostate> save_position(const std::string& path, const StreamPosition& position);

}  // namespace shoal
