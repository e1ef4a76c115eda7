#pragma once
// SourceStats: what the source writes on exit (`--stats-json`) and the swarm
// report reads: what it published, what it uploaded, to how many viewers;
// and its history, second by second.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "source/source_history.h"

namespace shoal {

struct SourceStats {
  uint64_t chunks_published = 0;
  uint64_t chunk_bytes_published = 0;  // payload bytes: one copy of the stream
  uint64_t copy_bytes = 0;             // CHUNK frame bytes of one copy of the stream
  uint64_t media_ms_published = 0;     // duration of the chunks published
  uint64_t bytes_uploaded = 0;         // CHUNK frame bytes sent to viewers
  uint64_t control_bytes_out = 0;
  size_t viewers = 0;
  uint64_t bytes_delivered = 0;  // payload bytes viewers said they hold (HAVEs)
  // 1 - uploaded / delivered: the share of the delivery the peers took on.
  std::optional<double> offload() const;
  uint64_t refused = 0;   // connections closed at once by the per-address limits
  SourceHistory history;  // the same second by second (`history` in the JSON)

  nlohmann::json to_json() const;
};

}  // namespace shoal
