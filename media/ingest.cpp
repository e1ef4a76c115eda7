#include "media/ingest.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "media/chunker.h"
#include "media/file_input.h"
#include "media/interrupt.h"
#include "media/log.h"
#include "media/test_pattern.h"
#include "media/ts_muxer.h"
#include "media/wall_clock.h"

namespace shoal {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr AVRational kMicros{1, 1'000'000};
// A publisher that sends nothing for this long has gone.
constexpr milliseconds kPublisherSilence{5000};
// A connection that does not become a stream in this long makes way.
constexpr milliseconds kPublisherSetup{15'000};

int primary_stream(const PacketSource& source) {
  const auto& streams = source.streams();
  for (size_t i = 0; i < streams.size(); ++i)
    if (streams[i].video) return static_cast<int>(i);
  return 0;
}

std::string elapsed_text(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count() / 1000) + " s";
}

// Whether `url` waits for a publisher to come (rather than fetching from it).
bool listens(const std::string& url) {
  return url.starts_with("rtmp://") || url.starts_with("udp://") || url.starts_with("rtp://") ||
         (url.find("listen") != std::string::npos &&
          (url.starts_with("srt://") || url.starts_with("tcp://")));
}

// A listener's address taken or not ours is an error at startup, not a
// publisher's failure later.
Result<std::monostate> can_listen(const std::string& url) {
  char proto[16], host[256], path[8];
  int port = -1;
  av_url_split(proto, sizeof proto, nullptr, 0, host, sizeof host, &port, path, sizeof path,
               url.c_str());
  if (port <= 0) return Error{"cannot open input '" + url + "': it names no port to listen on"};
  const bool tcp = std::string_view(proto) == "rtmp" || std::string_view(proto) == "tcp";
  addrinfo hints{.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                 .ai_family = AF_UNSPEC,
                 .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM};
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int err = getaddrinfo(host[0] ? host : nullptr, service.c_str(), &hints, &found); err != 0)
    return Error{"cannot open input '" + url + "': " + gai_strerror(err)};
  const int fd = socket(found->ai_family, found->ai_socktype, 0);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const bool bound = fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0;
  const int error = errno;
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  if (!bound)
    return Error{"cannot open input '" + url + "': cannot listen on port " + service + ": " +
                 std::strerror(error)};
  return std::monostate{};
}

class MediaIngest final : public Ingest {
 public:
  // A file or the test pattern, opened already: one pass. Without a
  // source: a publisher's stream, opened in run(), again whenever it ends.
  MediaIngest(const IngestOptions& options, std::unique_ptr<PacketSource> source = nullptr)
      : options_(options),
        chunker_(options.chunk_target, options.resume ? options.resume->next_seq : ChunkSeq(0)),
        first_(std::move(source)) {
    // A recent position is taken as the end of a pass before this one.
    if (const auto& r = options.resume; r && wall_now() - r->at < std::chrono::minutes(1)) {
      origin_ = microseconds(0);
      end_ = microseconds(r->media_end_us);
      ended_ = Clock::now() - std::max(wall_now() - r->at, std::chrono::milliseconds(0));
    }
  }

  std::string describe() const override {
    return first_ ? first_->describe() : options_.input + ": live, waiting for a publisher";
  }

  void stop() override { interrupt_.stop(); }

  Result<std::monostate> run(const std::function<void(Chunk)>& on_chunk) override {
    if (first_) return pass(*first_, on_chunk);
    milliseconds retry{1000};  // before trying a failing address again
    const auto back_off = [&](const std::string& why) {
      log_line("publisher: " + why + "; trying again in " + std::to_string(retry.count() / 1000) +
               " s");
      interrupt_.sleep_until(Clock::now() + retry);
      retry = std::min(retry * 2, milliseconds{30'000});
    };
    while (!interrupt_.stopped()) {
      // Another process may have taken the port while a publisher was on.
      if (listens(options_.input)) {
        if (auto ok = can_listen(options_.input); !ok) {
          back_off(ok.error());
          continue;
        }
      }
      // Each wait is bounded so that a connection that never becomes a
      // stream (a stuck or hostile client) cannot hold the listener.
      interrupt_.limit_idle(kPublisherSetup);
      auto source =
          FileInput::open(options_.input, false, options_.video_bitrate, &interrupt_);
      if (interrupt_.stopped()) break;
      if (!source) {
        if (interrupt_.timed_out()) continue;  // nobody came: listen again
        // A client of our listener failed: listen again at once. A stream
        // we fetch failed: try again, less and less often.
        if (listens(options_.input)) log_line("publisher: " + source.error());
        else back_off(source.error());
        continue;
      }
      retry = milliseconds{1000};
      log_line("publisher connected: " + (*source)->describe());
      const auto began = Clock::now();
      interrupt_.limit_idle(kPublisherSilence);
      const auto result = pass(**source, on_chunk);
      if (interrupt_.stopped()) break;
      const std::string why = interrupt_.timed_out() ? "silent for 5 s"
                              : result              ? "ended its stream"
                                                    : result.error();
      log_line("publisher gone after " + elapsed_text(Clock::now() - began) + " (" + why +
               "); the channel stays up, waiting for it");
    }
    return std::monostate{};
  }

 private:
  // One pass over `source` (a file, or one publisher's session). Media
  // times of a later pass carry on from the previous one's end plus the
  // time in between, so chunks' times and the muxed timestamps keep
  // increasing across a publisher's absence.
  Result<std::monostate> pass(PacketSource& source, const std::function<void(Chunk)>& on_chunk) {
    auto muxer = TsMuxer::create(source.streams());
    if (!muxer) return Error{muxer.error()};
    const int primary = primary_stream(source);
    std::optional<microseconds> first;  // this pass's first timestamp
    microseconds shift{0};              // added to this pass's timestamps
    Clock::time_point started;
    while (true) {
      auto next = source.next();
      if (!next) return finish(**muxer, on_chunk, Error{next.error()});
      PacketPtr packet = std::move(*next);
      if (!packet) break;
      interrupt_.heard();
      const StreamInfo& stream = source.streams()[packet->stream_index];
      const int64_t ts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
      if (ts == AV_NOPTS_VALUE) continue;  // cannot be placed in time
      const microseconds t(av_rescale_q(ts, stream.time_base, kMicros));
      if (!first) {
        first = t;
        started = Clock::now();
        if (!origin_) origin_ = t;
        else shift = end_ + std::chrono::duration_cast<microseconds>(started - ended_) - t;
      }
      if (options_.realtime && !interrupt_.sleep_until(started + (t - *first))) break;
      if (interrupt_.stopped()) break;
      if (shift.count() != 0) {
        const int64_t by = av_rescale_q(shift.count(), kMicros, stream.time_base);
        if (packet->pts != AV_NOPTS_VALUE) packet->pts += by;
        if (packet->dts != AV_NOPTS_VALUE) packet->dts += by;
      }
      const microseconds at = t + shift;  // on the stream's own timeline
      const bool is_primary = packet->stream_index == primary;
      const bool random_access = is_primary && (!stream.video || packet->flags & AV_PKT_FLAG_KEY);
      const auto decision = chunker_.classify(at - *origin_, is_primary, random_access);
      if (decision == Chunker::Decision::kDrop) continue;
      if (decision == Chunker::Decision::kCut) {
        chunker_.append((*muxer)->flush());
        if (auto done = chunker_.cut(at - *origin_, random_access, wall_now()))
          on_chunk(std::move(*done));
        if (!random_access) (*muxer)->resend_headers();
      }
      const microseconds duration(
          av_rescale_q(std::max<int64_t>(packet->duration, 0), stream.time_base, kMicros));
      if (is_primary) end_ = std::max(end_, at + duration);
      auto bytes = (*muxer)->write(packet.get());
      if (!bytes) return finish(**muxer, on_chunk, Error{bytes.error()});
      chunker_.append(*bytes);
    }
    return finish(**muxer, on_chunk, std::monostate{});
  }

  // Closes the pass's last chunk: what was read stays valid even when
  // reading failed.
  Result<std::monostate> finish(TsMuxer& muxer, const std::function<void(Chunk)>& on_chunk,
                                Result<std::monostate> result) {
    chunker_.append(muxer.flush());
    if (origin_) {
      if (auto last = chunker_.finish(end_ - *origin_)) on_chunk(std::move(*last));
    }
    ended_ = Clock::now();
    return result;
  }

  IngestOptions options_;
  Interrupt interrupt_;
  Chunker chunker_;  // one for every pass: numbers go on
  std::unique_ptr<PacketSource> first_;
  std::optional<microseconds> origin_;  // the first pass's first timestamp
  microseconds end_{0};                 // where the stream's primary units end so far
  Clock::time_point ended_;             // when the last pass ended
};

}  // namespace

StreamPosition StreamPosition::after(const Chunk& chunk) {
  const std::chrono::milliseconds duration(chunk.duration_ms);
  return {chunk.seq.next(), chunk.pts_us + duration.count() * 1000, chunk.capture_time + duration};
}

bool is_live_input(const std::string& input) {
  static constexpr std::array kSchemes{"rtmp://", "srt://", "udp://", "rtp://",
                                       "tcp://",  "rist://", "rtsp://"};
  return std::any_of(kSchemes.begin(), kSchemes.end(),
                     [&](const char* s) { return input.starts_with(s); });
}

Result<std::unique_ptr<Ingest>> Ingest::open(const IngestOptions& options) {
  IngestOptions o = options;
  if (is_live_input(o.input)) {
    if (listens(o.input)) {
      if (auto ok = can_listen(o.input); !ok) return Error{ok.error()};
    }
    o.realtime = false;  // a publisher sends at its own pace
    return std::unique_ptr<Ingest>(new MediaIngest(o));
  }
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
  return std::unique_ptr<Ingest>(new MediaIngest(o, std::move(source)));
}

}  // namespace shoal
