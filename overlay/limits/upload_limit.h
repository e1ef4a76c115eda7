#pragma once
// UploadLimit: a node's upload capacity as users give it (`--upload-limit`,
// `--peer-upload`): a fixed rate, a multiple of the stream's rate, or none.

#include <optional>

namespace shoal {

struct UploadLimit {
  std::optional<double> bytes_per_second;  // a fixed limit, bytes/s; 0: upload nothing
  std::optional<double> stream_multiple;   // a limit relative to the stream
  // The limit in bytes/s for a stream of `stream_rate` bytes/s; nullopt if
  // unlimited, 0 while a relative limit has no stream rate to go by.
  std::optional<double> resolve(std::optional<double> stream_rate) const {
    if (bytes_per_second) return bytes_per_second;
    if (stream_multiple) return stream_rate ? *stream_multiple * *stream_rate : 0.0;
    return std::nullopt;
  }
};

}  // namespace shoal
