#pragma once
// Transcoder: turns the packets of one input stream whose codec MPEG-TS
// cannot carry into H.264 (video) or AAC (audio): decode, convert (scale to
// YUV 4:2:0, resample to 48 kHz float planar), encode.

#include <memory>
#include <vector>

#include "media/encoder.h"

struct SwsContext;
struct SwrContext;
struct AVAudioFifo;

namespace shoal {

class Transcoder {
 public:
  // `stream` is the input stream; `video_bitrate` applies to video.
  static Result<std::unique_ptr<Transcoder>> create(const AVStream* stream, int64_t video_bitrate);
  ~Transcoder();

  // Feeds one input packet (nullptr at the end, to drain); returns encoded
  // packets with timestamps in time_base().
  Result<std::vector<PacketPtr>> feed(const AVPacket* packet);

  const AVCodecParameters* parameters() const { return encoder_.parameters(); }
  AVRational time_base() const { return encoder_.time_base(); }
  std::string codec_name() const;

 private:
  Transcoder(CodecContextPtr decoder, Encoder encoder, AVRational in_time_base);
  Result<std::vector<PacketPtr>> convert_and_encode(AVFrame* frame);
  Result<std::vector<PacketPtr>> encode_audio_fifo(bool drain);

  CodecContextPtr decoder_;
  Encoder encoder_;
  AVRational in_time_base_;
  SwsContext* sws_ = nullptr;
  SwrContext* swr_ = nullptr;
  AVAudioFifo* fifo_ = nullptr;
  FramePtr converted_;
  int64_t next_audio_pts_ = AV_NOPTS_VALUE;
};

}  // namespace shoal
