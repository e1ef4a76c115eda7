#include "media/transcoder.h"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace shoal {

Result<std::unique_ptr<Transcoder>> Transcoder::create(const AVStream* stream,
                                                       int64_t video_bitrate) {
  const AVCodecParameters* in = stream->codecpar;
  const AVCodec* codec = avcodec_find_decoder(in->codec_id);
  if (!codec) return Error{std::string("no decoder for ") + avcodec_get_name(in->codec_id)};
  CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), in);
  dec->pkt_timebase = stream->time_base;
  if (int err = avcodec_open2(dec.get(), codec, nullptr); err < 0) {
    return Error{std::string("cannot open the ") + codec->name + " decoder: " + av_error(err)};
  }
  Result<Encoder> enc = Error{""};
  if (in->codec_type == AVMEDIA_TYPE_VIDEO) {
    AVRational fps = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : AVRational{25, 1};
    enc = Encoder::video(
        {in->width & ~1, in->height & ~1, fps, video_bitrate, std::max(1, fps.num / fps.den / 2)});
  } else {
    enc = Encoder::audio({48'000, std::min(in->ch_layout.nb_channels, 2), 128'000});
  }
  if (!enc) return Error{enc.error()};
  return std::unique_ptr<Transcoder>(
      new Transcoder(std::move(dec), std::move(*enc), stream->time_base));
}

Transcoder::Transcoder(CodecContextPtr decoder, Encoder encoder, AVRational in_time_base)
    : decoder_(std::move(decoder)),
      encoder_(std::move(encoder)),
      in_time_base_(in_time_base),
      converted_(av_frame_alloc()) {}

Transcoder::~Transcoder() {
  sws_freeContext(sws_);
  swr_free(&swr_);
  if (fifo_) av_audio_fifo_free(fifo_);
}

std::string Transcoder::codec_name() const { return avcodec_get_name(decoder_->codec_id); }

Result<std::vector<PacketPtr>> Transcoder::feed(const AVPacket* packet) {
  int err = avcodec_send_packet(decoder_.get(), packet);
  if (err < 0 && err != AVERROR_EOF && err != AVERROR_INVALIDDATA) {
    return Error{"decoding " + codec_name() + " failed: " + av_error(err)};
  }
  std::vector<PacketPtr> out;
  FramePtr frame(av_frame_alloc());
  while ((err = avcodec_receive_frame(decoder_.get(), frame.get())) >= 0) {
    auto packets = convert_and_encode(frame.get());
    if (!packets) return packets;
    for (auto& p : *packets) out.push_back(std::move(p));
    av_frame_unref(frame.get());
  }
  if (!packet) {
    auto rest = decoder_->codec_type == AVMEDIA_TYPE_AUDIO ? encode_audio_fifo(true)
                                                           : encoder_.encode(nullptr);
    if (!rest) return rest;
    for (auto& p : *rest) out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<PacketPtr>> Transcoder::convert_and_encode(AVFrame* frame) {
  AVCodecContext* enc = encoder_.context();
  const int64_t pts = frame->best_effort_timestamp;
  if (decoder_->codec_type == AVMEDIA_TYPE_VIDEO) {
    sws_ = sws_getCachedContext(sws_, frame->width, frame->height,
                                static_cast<AVPixelFormat>(frame->format), enc->width, enc->height,
                                AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
    av_frame_unref(converted_.get());
    converted_->format = AV_PIX_FMT_YUV420P;
    converted_->width = enc->width;
    converted_->height = enc->height;
    av_frame_get_buffer(converted_.get(), 0);
    sws_scale(sws_, frame->data, frame->linesize, 0, frame->height, converted_->data,
              converted_->linesize);
    converted_->pts = av_rescale_q(pts, in_time_base_, enc->time_base);
    return encoder_.encode(converted_.get());
  }
  if (!swr_) {
    swr_alloc_set_opts2(&swr_, &enc->ch_layout, enc->sample_fmt, enc->sample_rate,
                        &frame->ch_layout, static_cast<AVSampleFormat>(frame->format),
                        frame->sample_rate, 0, nullptr);
    if (swr_init(swr_) < 0) return Error{"cannot resample " + codec_name() + " audio"};
    fifo_ = av_audio_fifo_alloc(enc->sample_fmt, enc->ch_layout.nb_channels, enc->frame_size * 4);
  }
  if (next_audio_pts_ == AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE) {
    next_audio_pts_ = av_rescale_q(pts, in_time_base_, enc->time_base);
  }
  const int max_out = swr_get_out_samples(swr_, frame->nb_samples);
  FramePtr out(av_frame_alloc());
  out->format = enc->sample_fmt;
  out->nb_samples = max_out;
  av_channel_layout_copy(&out->ch_layout, &enc->ch_layout);
  av_frame_get_buffer(out.get(), 0);
  const int n = swr_convert(swr_, out->data, max_out,
                            const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
  if (n > 0) av_audio_fifo_write(fifo_, reinterpret_cast<void**>(out->data), n);
  return encode_audio_fifo(false);
}

// AAC takes frames of exactly frame_size samples; the FIFO regroups them.
Result<std::vector<PacketPtr>> Transcoder::encode_audio_fifo(bool drain) {
  std::vector<PacketPtr> out;
  AVCodecContext* enc = encoder_.context();
  while (fifo_ && (av_audio_fifo_size(fifo_) >= enc->frame_size ||
                   (drain && av_audio_fifo_size(fifo_) > 0))) {
    FramePtr f(av_frame_alloc());
    f->format = enc->sample_fmt;
    f->nb_samples = std::min(enc->frame_size, av_audio_fifo_size(fifo_));
    f->sample_rate = enc->sample_rate;
    av_channel_layout_copy(&f->ch_layout, &enc->ch_layout);
    av_frame_get_buffer(f.get(), 0);
    av_audio_fifo_read(fifo_, reinterpret_cast<void**>(f->data), f->nb_samples);
    f->pts = next_audio_pts_ == AV_NOPTS_VALUE ? 0 : next_audio_pts_;
    next_audio_pts_ = f->pts + f->nb_samples;
    auto packets = encoder_.encode(f.get());
    if (!packets) return packets;
    for (auto& p : *packets) out.push_back(std::move(p));
  }
  if (drain) {
    auto rest = encoder_.encode(nullptr);
    if (!rest) return rest;
    for (auto& p : *rest) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace shoal
