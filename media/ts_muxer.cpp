#include "media/ts_muxer.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
}

#include "media/ffmpeg_util.h"

namespace shoal {
namespace {
constexpr int kIoBuffer = 188 * 64;
}

Result<std::unique_ptr<TsMuxer>> TsMuxer::create(const std::vector<StreamInfo>& streams) {
  std::unique_ptr<TsMuxer> m(new TsMuxer);
  if (avformat_alloc_output_context2(&m->ctx_, nullptr, "mpegts", nullptr) < 0) {
    return Error{"FFmpeg has no MPEG-TS muxer"};
  }
  auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBuffer));
  m->ctx_->pb =
      avio_alloc_context(buffer, kIoBuffer, 1, m.get(), nullptr, &TsMuxer::on_write, nullptr);
  m->ctx_->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_FLUSH_PACKETS;
  for (const StreamInfo& s : streams) {
    AVStream* st = avformat_new_stream(m->ctx_, nullptr);
    avcodec_parameters_copy(st->codecpar, s.codec);
    st->codecpar->codec_tag = 0;
    st->time_base = s.time_base;
    m->source_time_bases_.push_back(s.time_base);
  }
  // With its length written, a video PES can be passed on by the player's
  // demuxer as soon as it ends, not only once the next one begins.
  AVDictionary* options = nullptr;
  av_dict_set(&options, "omit_video_pes_length", "0", 0);
  const int err = avformat_write_header(m->ctx_, &options);
  av_dict_free(&options);
  if (err < 0) return Error{"cannot start MPEG-TS muxing: " + av_error(err)};
  m->take();  // the header bytes: PAT and PMT come again before the first keyframe
  return m;
}

TsMuxer::~TsMuxer() {
  if (!ctx_) return;
  if (ctx_->pb) {
    av_freep(&ctx_->pb->buffer);
    avio_context_free(&ctx_->pb);
  }
  avformat_free_context(ctx_);
}

int TsMuxer::on_write(void* self, uint8_t* data, int size) {
  auto& out = static_cast<TsMuxer*>(self)->out_;
  out.insert(out.end(), data, data + size);
  return size;
}

std::vector<uint8_t> TsMuxer::take() {
  avio_flush(ctx_->pb);
  return std::exchange(out_, {});
}

Result<std::vector<uint8_t>> TsMuxer::write(AVPacket* packet) {
  const int index = packet->stream_index;
  if (index < 0 || index >= static_cast<int>(source_time_bases_.size())) {
    return Error{"packet of an unknown stream"};
  }
  av_packet_rescale_ts(packet, source_time_bases_[index], ctx_->streams[index]->time_base);
  const int err = av_write_frame(ctx_, packet);
  if (err < 0) return Error{"MPEG-TS muxing failed: " + av_error(err)};
  return take();
}

std::vector<uint8_t> TsMuxer::flush() {
  av_write_frame(ctx_, nullptr);
  return take();
}

void TsMuxer::resend_headers() {
  av_opt_set(ctx_->priv_data, "mpegts_flags", "+resend_headers", 0);
}

}  // namespace shoal
