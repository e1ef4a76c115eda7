#pragma once
// PacketSource: where encoded packets come from, for Ingest. Each packet is
// already in a codec MPEG-TS can carry, timestamped in its stream's time
// base, and delivered in decode order. Implementations: the built-in test
// pattern and FFmpeg file/URL input.

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/result.h"

namespace shoal {

struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct StreamInfo {
  const AVCodecParameters* codec = nullptr;  // owned by the source
  AVRational time_base{1, 1};
  bool video = false;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual std::string describe() const = 0;
  // Stream i is the stream of packets with stream_index i.
  virtual const std::vector<StreamInfo>& streams() const = 0;
  // The next packet; nullptr at the end of the input; an error if reading fails.
  virtual Result<PacketPtr> next() = 0;
};

}  // namespace shoal
