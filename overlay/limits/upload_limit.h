#pragma once
// UploadLimit: a node's upload capacity as users give it (`--upload-limit`,
// `--peer-upload`): a fixed rate, a multiple of the stream's rate, or none.
// The parsers read these rates as users write them on a command line, the
// source's repair share with them; each returns a message naming the text
// and the forms it takes. Numbers are plain decimals: no sign, no NaN or
// infinity.

#include <cstdint>
#include <optional>
#include <string_view>

#include "media/result.h"

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

// Bits per second: "800k", "1.5M", "2000000"; from 1 bit/s to 1 Tbit/s.
Result<int64_t> parse_bitrate(std::string_view text);

// All of `text` as a finite, unsigned decimal number ("1.5", not "-1", "1e",
// "nan" or " 1").
std::optional<double> parse_number(std::string_view text);

// "none", "0" (upload nothing), "2M" (bits per second, as parse_bitrate) or
// "1.5x" (times the stream's rate, which the source announces).
Result<UploadLimit> parse_upload_limit(std::string_view text);

// The source's --repair-share: "none" (no limit) or a multiple of the stream
// rate such as "0.3x" (the x may be left off).
Result<std::optional<double>> parse_repair_share(std::string_view text);

}  // namespace shoal
