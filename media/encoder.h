#pragma once
// Encoder: an FFmpeg encoder producing what MPEG-TS carries: H.264 via
// libx264 (live settings: no B-frames, no lookahead, a fixed GOP so that
// every chunk starts with a keyframe) or AAC.

#include <vector>

#include "media/ffmpeg_util.h"
#include "media/packet_source.h"
#include "media/result.h"

namespace shoal {

class Encoder {
 public:
  struct Video {
    int width = 640;
    int height = 360;
    AVRational frame_rate{30, 1};
    int64_t bitrate = 1'000'000;
    int gop = 15;  // frames between keyframes: one chunk
  };
  struct Audio {
    int sample_rate = 48'000;
    int channels = 1;
    int64_t bitrate = 96'000;
  };

  static Result<Encoder> video(const Video& v);
  static Result<Encoder> audio(const Audio& a);

  // Encodes one frame (pts in time_base()), or flushes with nullptr; returns
  // the packets that came out.
  Result<std::vector<PacketPtr>> encode(const AVFrame* frame);

  AVCodecContext* context() const { return ctx_.get(); }
  const AVCodecParameters* parameters() const { return par_.get(); }
  AVRational time_base() const { return ctx_->time_base; }

 private:
  struct ParametersDeleter {
    void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
  };
  static Result<Encoder> open(CodecContextPtr ctx, const AVCodec* codec, AVDictionary* options);

  CodecContextPtr ctx_;
  std::unique_ptr<AVCodecParameters, ParametersDeleter> par_;
};

}  // namespace shoal
