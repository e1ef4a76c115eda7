#include "source/source_stats.h"

namespace shoal {

nlohmann::json SourceStats::to_json() const {
  return {{"chunks_published", chunks_published},
          {"chunk_bytes_published", chunk_bytes_published},
          {"copy_bytes", copy_bytes},
          {"media_ms_published", media_ms_published},
          {"bytes_uploaded", bytes_uploaded},
          {"control_bytes_out", control_bytes_out},
          {"viewers", viewers},
          {"bytes_delivered", bytes_delivered},
          {"offload", offload() ? nlohmann::json(*offload()) : nlohmann::json(nullptr)},
          {"refused", refused},
          {"history", history.to_json()}};
}

std::optional<double> SourceStats::offload() const {
  if (bytes_delivered == 0) return std::nullopt;
  return 1.0 - static_cast<double>(bytes_uploaded) / static_cast<double>(bytes_delivered);
}

}  // namespace shoal
