#include "media/encoder.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace shoal {

Result<Encoder> Encoder::video(const Video& v) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) return Error{"FFmpeg has no libx264 encoder (install libavcodec with libx264)"};
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  ctx->width = v.width;
  ctx->height = v.height;
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  ctx->time_base = av_inv_q(v.frame_rate);
  ctx->framerate = v.frame_rate;
  ctx->bit_rate = v.bitrate;
  ctx->gop_size = v.gop;
  ctx->keyint_min = v.gop;
  ctx->max_b_frames = 0;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", "veryfast", 0);
  av_dict_set(&options, "tune", "zerolatency", 0);
  av_dict_set(&options, "x264-params", "scenecut=0:repeat-headers=1", 0);
  return open(std::move(ctx), codec, options);
}

Result<Encoder> Encoder::audio(const Audio& a) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) return Error{"FFmpeg has no AAC encoder"};
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  ctx->sample_fmt = AV_SAMPLE_FMT_FLTP;
  ctx->sample_rate = a.sample_rate;
  av_channel_layout_default(&ctx->ch_layout, a.channels);
  ctx->bit_rate = a.bitrate;
  ctx->time_base = AVRational{1, a.sample_rate};
  return open(std::move(ctx), codec, nullptr);
}

Result<Encoder> Encoder::open(CodecContextPtr ctx, const AVCodec* codec, AVDictionary* options) {
  const int err = avcodec_open2(ctx.get(), codec, &options);
  av_dict_free(&options);
  if (err < 0)
    return Error{std::string("cannot open the ") + codec->name + " encoder: " + av_error(err)};
  Encoder e;
  e.par_.reset(avcodec_parameters_alloc());
  avcodec_parameters_from_context(e.par_.get(), ctx.get());
  e.ctx_ = std::move(ctx);
  return e;
}

Result<std::vector<PacketPtr>> Encoder::encode(const AVFrame* frame) {
  int err = avcodec_send_frame(ctx_.get(), frame);
  if (err < 0 && err != AVERROR_EOF) return Error{"encoding failed: " + av_error(err)};
  std::vector<PacketPtr> out;
  while (true) {
    PacketPtr p(av_packet_alloc());
    err = avcodec_receive_packet(ctx_.get(), p.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err < 0) return Error{"encoding failed: " + av_error(err)};
    p->time_base = ctx_->time_base;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace shoal
