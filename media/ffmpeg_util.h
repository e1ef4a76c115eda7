#pragma once
// Small RAII owners and helpers for FFmpeg objects.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
}

#include <memory>
#include <string>
#include <vector>

namespace shoal {

struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;

struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

struct InputDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;

// FFmpeg's text for an error code.
std::string av_error(int code);

// Routes FFmpeg's own log lines away from stderr; the most recent error line
// of this thread is kept so that our error messages can include its detail,
// and its first warnings since they were last taken.
void quiet_ffmpeg_logs();
std::string last_ffmpeg_error();
std::vector<std::string> ffmpeg_warnings();

}  // namespace shoal
