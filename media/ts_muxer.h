#pragma once
// TsMuxer: FFmpeg's MPEG-TS muxer writing into memory. Packets go in, in
// decode order and their source's time base; TS bytes come out at once.
// flush() pushes out audio the muxer still buffers, so that a chunk boundary
// can be drawn exactly between two packets; every random-access chunk then
// starts with PAT and PMT, which the muxer writes before each keyframe (and
// resend_headers() forces before any packet).

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "media/ffmpeg_util.h"
#include "media/packet_source.h"
#include "media/result.h"

namespace shoal {

class TsMuxer {
 public:
  static Result<std::unique_ptr<TsMuxer>> create(const std::vector<StreamInfo>& streams);
  ~TsMuxer();
  TsMuxer(const TsMuxer&) = delete;
  TsMuxer& operator=(const TsMuxer&) = delete;

  // Muxes one packet (its stream_index names a stream given to create());
  // returns the TS bytes it produced.
  Result<std::vector<uint8_t>> write(AVPacket* packet);
  // Returns the bytes still buffered inside the muxer.
  std::vector<uint8_t> flush();
  void resend_headers();

 private:
  TsMuxer() = default;
  static int on_write(void* self, uint8_t* data, int size);
  std::vector<uint8_t> take();

  AVFormatContext* ctx_ = nullptr;
  std::vector<AVRational> source_time_bases_;
  std::vector<uint8_t> out_;
};

}  // namespace shoal
