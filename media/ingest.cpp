#include "media/ingest.h"

#include <condition_variable>
#include <mutex>

#include "media/chunker.h"
#include "media/file_input.h"
#include "media/test_pattern.h"
#include "media/ts_muxer.h"
#include "media/wall_clock.h"

namespace shoal {
namespace {

using std::chrono::microseconds;

class MediaIngest final : public Ingest {
 public:
  MediaIngest(std::unique_ptr<PacketSource> source, std::unique_ptr<TsMuxer> muxer,
              const IngestOptions& options)
      : source_(std::move(source)), muxer_(std::move(muxer)), options_(options) {
    const auto& streams = source_->streams();
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].video) {
        primary_ = static_cast<int>(i);
        break;
      }
    }
  }

  std::string describe() const override { return source_->describe(); }

  void stop() override {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    wake_.notify_all();
  }

  Result<std::monostate> run(const std::function<void(Chunk)>& on_chunk) override {
    Chunker chunker(options_.chunk_target);
    std::optional<microseconds> first;
    std::chrono::steady_clock::time_point started;
    microseconds end{0};
    while (true) {
      auto next = source_->next();
      if (!next) return Error{next.error()};
      PacketPtr packet = std::move(*next);
      if (!packet) break;
      const StreamInfo& stream = source_->streams()[packet->stream_index];
      const int64_t ts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
      if (ts == AV_NOPTS_VALUE) continue;  // cannot be placed in time
      const microseconds t(av_rescale_q(ts, stream.time_base, {1, 1'000'000}));
      if (!first) {
        first = t;
        started = std::chrono::steady_clock::now();
      }
      if (options_.realtime && !sleep_until(started + (t - *first))) break;
      if (stopped()) break;

      const bool primary = packet->stream_index == primary_;
      const bool random_access = primary && (!stream.video || packet->flags & AV_PKT_FLAG_KEY);
      const auto decision = chunker.classify(t - *first, primary, random_access);
      if (decision == Chunker::Decision::kDrop) continue;
      if (decision == Chunker::Decision::kCut) {
        chunker.append(muxer_->flush());
        if (auto done = chunker.cut(t - *first, random_access, wall_now()))
          on_chunk(std::move(*done));
        if (!random_access) muxer_->resend_headers();
      }
      const microseconds duration(
          av_rescale_q(std::max<int64_t>(packet->duration, 0), stream.time_base, {1, 1'000'000}));
      if (primary) end = std::max(end, t - *first + duration);
      auto bytes = muxer_->write(packet.get());
      if (!bytes) return Error{bytes.error()};
      chunker.append(*bytes);
    }
    chunker.append(muxer_->flush());
    if (auto last = chunker.finish(end)) on_chunk(std::move(*last));
    return std::monostate{};
  }

 private:
  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  // False if stopped while waiting.
  bool sleep_until(std::chrono::steady_clock::time_point when) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_until(lock, when, [&] { return stopped_; });
  }

  std::unique_ptr<PacketSource> source_;
  std::unique_ptr<TsMuxer> muxer_;
  IngestOptions options_;
  int primary_ = 0;  // the video stream, or the only stream
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<Ingest>> Ingest::open(const IngestOptions& options) {
  IngestOptions o = options;
  std::unique_ptr<PacketSource> source;
  if (o.input == "testsrc") {
    auto pattern = TestPattern::create(o.chunk_target, o.video_bitrate);
    if (!pattern) return Error{pattern.error()};
    source = std::move(*pattern);
    o.realtime = true;  // a live pattern has no "as fast as possible"
  } else {
    auto file = FileInput::open(o.input, o.loop, o.video_bitrate);
    if (!file) return Error{file.error()};
    source = std::move(*file);
  }
  auto muxer = TsMuxer::create(source->streams());
  if (!muxer) return Error{muxer.error()};
  return std::unique_ptr<Ingest>(new MediaIngest(std::move(source), std::move(*muxer), o));
}

}  // namespace shoal
