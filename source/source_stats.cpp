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
          {"refused", refused}};
}

}  // namespace shoal
