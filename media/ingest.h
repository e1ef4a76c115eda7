#pragma once
// Ingest: turns an input (a media file, a URL, or the built-in "testsrc" test
// pattern) into a live sequence of unsigned chunks of MPEG-TS.
//
// Inputs whose codecs fit MPEG-TS (H.264, H.265, AAC, MP3, MP2, AC-3) are
// remuxed without re-encoding; others are transcoded to H.264 + AAC. Chunks are
// cut by the Chunker's rule (chunker.h). A file input is paced at real time
// unless `realtime` is false. Capture times are wall-clock times of a chunk's
// first packet, so consecutive chunks satisfy capture(n+1) ~= capture(n) +
// duration(n).
//
// A live input (rtmp://, srt://, udp://, rtp://, tcp://, rist://, rtsp://)
// is a publisher's stream, and the channel outlives it: open() does not wait
// for it; run() waits for the publisher (rtmp:// is served: OBS or ffmpeg
// publishes to that address), takes its stream, and when the publisher
// leaves (disconnects, fails, or is silent for 5 s) logs it and waits for it
// again. Chunks keep their numbering across publishers and their media times
// keep increasing, with a jump as long as the absence. A connection that
// sends what cannot be read is logged and dropped.
//
// Threading: run() blocks the calling thread; stop() may be called from any
// other thread and makes run() return promptly.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "media/chunk.h"
#include "media/result.h"

namespace shoal {

// Where a channel stood when its source last published a chunk: a source
// that restarts goes on from there (source/source_state.h keeps it on disk).
struct StreamPosition {
  ChunkSeq next_seq;         // the number the next chunk takes
  int64_t media_end_us = 0;  // media time where the last chunk ends
  WallTime at{};             // when that was, on the source's wall clock

  // The position right after `chunk`.
  static StreamPosition after(const Chunk& chunk);
};

struct IngestOptions {
  std::string input;  // path, URL, or "testsrc"
  std::chrono::milliseconds chunk_target{500};
  int64_t video_bitrate = 1'000'000;  // bits per second, when encoding
  bool realtime = true;               // pace file input at its own rate
  bool loop = false;                  // restart a file input at its end
  // Go on from here: numbers from next_seq, and, if `at` was within the
  // last minute, media time from media_end_us plus the time since (players
  // then see the gap, not time running backwards).
  std::optional<StreamPosition> resume;
};

// Whether `input` names a live publisher's stream (see above).
bool is_live_input(const std::string& input);

class Ingest {
 public:
  virtual ~Ingest() = default;

  // Opens and probes the input. A missing, unreadable or corrupt input is an
  // error whose message names the input and the cause.
  static Result<std::unique_ptr<Ingest>> open(const IngestOptions& options);

  // One line for the log, e.g. "h264 1280x720 + aac 48000 Hz, remuxed".
  virtual std::string describe() const = 0;

  // Reads the input and calls on_chunk with each finished chunk (seq counting
  // from 0, unsigned) until the input ends (returns ok) or stop() is called
  // (returns ok), or reading fails (returns the error; chunks already passed on
  // stay valid). A live input ends only at stop().
  virtual Result<std::monostate> run(const std::function<void(Chunk)>& on_chunk) = 0;

  virtual void stop() = 0;
};

}  // namespace shoal
