#pragma once
// FileInput: a media file or URL read with libavformat. The best video and
// the best audio stream are kept. Codecs MPEG-TS carries (H.264, H.265, AAC,
// MP3, MP2, AC-3) are passed through untouched; others are transcoded to
// H.264 / AAC. With `loop`, the input starts over at its end and timestamps
// keep increasing, so the live stream continues seamlessly.
//
// An rtmp:// URL is served, not fetched: FileInput listens at its address
// for a publisher (OBS, ffmpeg) to connect. With an Interrupt, every wait
// inside FFmpeg (for a publisher, for data) ends when it says so.

#include <deque>
#include <map>

#include "media/ffmpeg_util.h"
#include "media/interrupt.h"
#include "media/packet_source.h"
#include "media/transcoder.h"

namespace shoal {

class FileInput final : public PacketSource {
 public:
  static Result<std::unique_ptr<FileInput>> open(const std::string& url, bool loop,
                                                 int64_t video_bitrate,
                                                 Interrupt* interrupt = nullptr);

  std::string describe() const override { return description_; }
  const std::vector<StreamInfo>& streams() const override { return streams_; }
  Result<PacketPtr> next() override;

 private:
  struct Output {
    int input_index;
    std::unique_ptr<Transcoder> transcoder;  // null: passed through
  };

  FileInput() = default;
  Result<std::monostate> read_more();
  void restart();

  InputPtr input_;
  std::string url_;
  bool loop_ = false;
  std::vector<StreamInfo> streams_;
  std::vector<Output> outputs_;
  std::map<int, int> output_of_input_;
  std::string description_;
  std::deque<PacketPtr> ready_;
  bool ended_ = false;
  int64_t loop_offset_us_ = 0;  // added to every timestamp after a restart
  int64_t end_us_ = 0;          // latest end time seen, for the next offset
};

}  // namespace shoal
