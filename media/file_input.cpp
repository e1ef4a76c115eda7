#include "media/file_input.h"

namespace shoal {
namespace {

bool ts_carries(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_H264:
    case AV_CODEC_ID_HEVC:
    case AV_CODEC_ID_AAC:
    case AV_CODEC_ID_MP3:
    case AV_CODEC_ID_MP2:
    case AV_CODEC_ID_AC3:
      return true;
    default:
      return false;
  }
}

constexpr AVRational kMicros{1, 1'000'000};

}  // namespace

Result<std::unique_ptr<FileInput>> FileInput::open(const std::string& url, bool loop,
                                                   int64_t video_bitrate, Interrupt* interrupt) {
  quiet_ffmpeg_logs();
  last_ffmpeg_error();
  ffmpeg_warnings();
  const auto fail = [&](const std::string& why) {
    const std::string detail = last_ffmpeg_error();
    return Error{"cannot open input '" + url + "': " + why +
                 (detail.empty() ? "" : " (" + detail + ")")};
  };
  std::unique_ptr<FileInput> in(new FileInput);
  in->url_ = url;
  in->loop_ = loop;
  AVFormatContext* ctx = avformat_alloc_context();
  if (!ctx) return fail("out of memory");
  if (interrupt) ctx->interrupt_callback = interrupt->callback();
  AVDictionary* options = nullptr;
  if (url.starts_with("rtmp://")) {
    av_dict_set(&options, "listen", "1", 0);
    // FLV names its streams only as their packets come: FFmpeg would wait
    // 5 s for more before the first chunk.
    av_dict_set(&options, "analyzeduration", "1000000", 0);
  }
  const int err = avformat_open_input(&ctx, url.c_str(), nullptr, &options);
  av_dict_free(&options);
  if (err < 0) return fail(av_error(err));  // ctx is freed
  in->input_.reset(ctx);
  // FFmpeg's RTMP server takes any app and stream key and only warns of
  // ones it did not expect; they are what keeps strangers from publishing.
  for (const std::string& warning : ffmpeg_warnings()) {
    if (warning.find("Unexpected stream") != std::string::npos ||
        warning.find("App field don't match up") != std::string::npos)
      return Error{"cannot open input '" + url + "': a publisher used another app or stream key"};
  }
  if (int e = avformat_find_stream_info(ctx, nullptr); e < 0) return fail(av_error(e));

  for (AVMediaType type : {AVMEDIA_TYPE_VIDEO, AVMEDIA_TYPE_AUDIO}) {
    const int index = av_find_best_stream(ctx, type, -1, -1, nullptr, 0);
    if (index < 0) continue;
    const AVStream* st = ctx->streams[index];
    if (type == AVMEDIA_TYPE_VIDEO && st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
    Output out{index, nullptr};
    StreamInfo info{st->codecpar, st->time_base, type == AVMEDIA_TYPE_VIDEO};
    std::string how = "passed through";
    if (!ts_carries(st->codecpar->codec_id)) {
      auto t = Transcoder::create(st, video_bitrate);
      if (!t) return fail(t.error());
      info.codec = (*t)->parameters();
      info.time_base = (*t)->time_base();
      how = "transcoded to " + std::string(avcodec_get_name(info.codec->codec_id));
      out.transcoder = std::move(*t);
    }
    in->description_ += (in->description_.empty() ? "" : ", ") +
                        std::string(avcodec_get_name(st->codecpar->codec_id)) + " " + how;
    in->output_of_input_[index] = static_cast<int>(in->outputs_.size());
    in->outputs_.push_back(std::move(out));
    in->streams_.push_back(info);
  }
  if (in->streams_.empty()) return fail("it has no audio or video stream");
  in->description_ = url + ": " + in->description_;
  return in;
}

void FileInput::restart() {
  av_seek_frame(input_.get(), -1, input_->start_time == AV_NOPTS_VALUE ? 0 : input_->start_time,
                AVSEEK_FLAG_BACKWARD);
  const int64_t start = input_->start_time == AV_NOPTS_VALUE ? 0 : input_->start_time;
  loop_offset_us_ = end_us_ - start;
}

Result<std::monostate> FileInput::read_more() {
  PacketPtr p(av_packet_alloc());
  const int err = av_read_frame(input_.get(), p.get());
  if (err == AVERROR_EOF && loop_ && end_us_ > 0) {
    restart();
    return std::monostate{};
  }
  if (err == AVERROR_EOF) {
    ended_ = true;
    for (size_t i = 0; i < outputs_.size(); ++i) {
      if (!outputs_[i].transcoder) continue;
      auto rest = outputs_[i].transcoder->feed(nullptr);
      if (!rest) return Error{rest.error()};
      for (auto& q : *rest) {
        q->stream_index = static_cast<int>(i);
        ready_.push_back(std::move(q));
      }
    }
    return std::monostate{};
  }
  if (err < 0) return Error{"reading '" + url_ + "' failed: " + av_error(err)};

  const auto found = output_of_input_.find(p->stream_index);
  if (found == output_of_input_.end()) return std::monostate{};
  const int out_index = found->second;
  const AVRational tb = input_->streams[p->stream_index]->time_base;
  // After a restart the input's timestamps begin again; shift them past the
  // end of the previous pass so the stream goes on.
  const int64_t shift = av_rescale_q(loop_offset_us_, kMicros, tb);
  if (p->pts != AV_NOPTS_VALUE) p->pts += shift;
  if (p->dts != AV_NOPTS_VALUE) {
    p->dts += shift;
    end_us_ =
        std::max(end_us_, av_rescale_q(p->dts + std::max<int64_t>(p->duration, 0), tb, kMicros));
  }
  std::vector<PacketPtr> produced;
  if (auto& t = outputs_[out_index].transcoder) {
    auto packets = t->feed(p.get());
    if (!packets) return Error{packets.error()};
    produced = std::move(*packets);
  } else {
    p->time_base = tb;
    produced.push_back(std::move(p));
  }
  for (auto& q : produced) {
    q->stream_index = out_index;
    ready_.push_back(std::move(q));
  }
  return std::monostate{};
}

Result<PacketPtr> FileInput::next() {
  while (ready_.empty() && !ended_) {
    if (auto r = read_more(); !r) return Error{r.error()};
  }
  if (ready_.empty()) return PacketPtr{};
  PacketPtr p = std::move(ready_.front());
  ready_.pop_front();
  return p;
}

}  // namespace shoal
