#include "media/test_pattern.h"

#include <cmath>
#include <numbers>

namespace shoal {
namespace {
constexpr int kWidth = 640, kHeight = 360, kFps = 30, kRate = 48'000, kBox = 48;
}

Result<std::unique_ptr<TestPattern>> TestPattern::create(std::chrono::milliseconds chunk_target,
                                                         int64_t video_bitrate) {
  const int gop = std::max<int>(1, static_cast<int>(chunk_target.count() * kFps / 1000));
  auto video = Encoder::video({kWidth, kHeight, {kFps, 1}, video_bitrate, gop});
  if (!video) return Error{video.error()};
  auto audio = Encoder::audio({});
  if (!audio) return Error{audio.error()};
  return std::unique_ptr<TestPattern>(new TestPattern(std::move(*video), std::move(*audio)));
}

TestPattern::TestPattern(Encoder video, Encoder audio)
    : video_(std::move(video)),
      audio_(std::move(audio)),
      picture_(av_frame_alloc()),
      samples_(av_frame_alloc()) {
  streams_ = {{video_.parameters(), video_.time_base(), true},
              {audio_.parameters(), audio_.time_base(), false}};
  picture_->format = AV_PIX_FMT_YUV420P;
  picture_->width = kWidth;
  picture_->height = kHeight;
  av_frame_get_buffer(picture_.get(), 0);
  const AVCodecContext* a = audio_.context();
  samples_->format = a->sample_fmt;
  samples_->nb_samples = a->frame_size;
  samples_->sample_rate = a->sample_rate;
  av_channel_layout_copy(&samples_->ch_layout, &a->ch_layout);
  av_frame_get_buffer(samples_.get(), 0);
}

std::string TestPattern::describe() const {
  return "test pattern: h264 640x360 30 fps + aac 48000 Hz tone, encoded live";
}

void TestPattern::draw(AVFrame* f, int64_t i) const {
  const int box_x = static_cast<int>(std::abs((i * 7) % (2 * (kWidth - kBox)) - (kWidth - kBox)));
  const int box_y = static_cast<int>(std::abs((i * 5) % (2 * (kHeight - kBox)) - (kHeight - kBox)));
  for (int y = 0; y < kHeight; ++y) {
    uint8_t* row = f->data[0] + y * f->linesize[0];
    for (int x = 0; x < kWidth; ++x) {
      const bool in_box = x >= box_x && x < box_x + kBox && y >= box_y && y < box_y + kBox;
      row[x] = in_box ? 235 : static_cast<uint8_t>(64 + ((x + y + 3 * i) & 127));
    }
  }
  for (int y = 0; y < kHeight / 2; ++y) {
    uint8_t* u = f->data[1] + y * f->linesize[1];
    uint8_t* v = f->data[2] + y * f->linesize[2];
    for (int x = 0; x < kWidth / 2; ++x) {
      u[x] = static_cast<uint8_t>((x * 2 + i) & 255);
      v[x] = static_cast<uint8_t>((y * 3 + 2 * i) & 255);
    }
  }
}

void TestPattern::tone(AVFrame* f, int64_t first) const {
  for (int ch = 0; ch < f->ch_layout.nb_channels; ++ch) {
    auto* out = reinterpret_cast<float*>(f->data[ch]);
    for (int s = 0; s < f->nb_samples; ++s) {
      out[s] =
          0.2f * static_cast<float>(std::sin(2 * std::numbers::pi * 440 * (first + s) / kRate));
    }
  }
}

Result<PacketPtr> TestPattern::next() {
  while (ready_.empty()) {
    // Make whichever stream is behind in time, so packets leave in time order.
    const bool video_next = frames_made_ * kRate <= samples_made_ * kFps;
    Result<std::vector<PacketPtr>> packets = std::vector<PacketPtr>{};
    if (video_next) {
      av_frame_make_writable(picture_.get());
      draw(picture_.get(), frames_made_);
      picture_->pts = frames_made_++;
      packets = video_.encode(picture_.get());
    } else {
      av_frame_make_writable(samples_.get());
      tone(samples_.get(), samples_made_);
      samples_->pts = samples_made_;
      samples_made_ += samples_->nb_samples;
      packets = audio_.encode(samples_.get());
    }
    if (!packets) return Error{packets.error()};
    for (auto& p : *packets) {
      p->stream_index = video_next ? 0 : 1;
      ready_.push_back(std::move(p));
    }
  }
  PacketPtr p = std::move(ready_.front());
  ready_.pop_front();
  return p;
}

}  // namespace shoal
