#pragma once
// TestPattern: the built-in "testsrc" input. Moving 640x360 video at 30 fps
// (a scrolling colour field and a bouncing box, so every frame differs) and a
// 440 Hz tone, encoded as H.264 (one GOP per chunk) and AAC. Frames are made
// on demand; Ingest paces them at real time.

#include <chrono>
#include <deque>

#include "media/encoder.h"
#include "media/packet_source.h"

namespace shoal {

class TestPattern final : public PacketSource {
 public:
  static Result<std::unique_ptr<TestPattern>> create(std::chrono::milliseconds chunk_target,
                                                     int64_t video_bitrate);

  std::string describe() const override;
  const std::vector<StreamInfo>& streams() const override { return streams_; }
  Result<PacketPtr> next() override;

 private:
  TestPattern(Encoder video, Encoder audio);
  void draw(AVFrame* f, int64_t index) const;
  void tone(AVFrame* f, int64_t first_sample) const;

  Encoder video_;
  Encoder audio_;
  std::vector<StreamInfo> streams_;
  FramePtr picture_;
  FramePtr samples_;
  int64_t frames_made_ = 0;
  int64_t samples_made_ = 0;
  std::deque<PacketPtr> ready_;
};

}  // namespace shoal
