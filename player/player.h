#pragma once
// Player: plays MPEG-TS chunks through GStreamer
// (appsrc ! decodebin ! {videoconvert ! video sink, audioconvert ! audio sink}).
//
// The caller pushes whole chunks in play order at their play time; the player
// decodes and renders at once. It counts decoded video frames and notes when
// the first one came out, which is how startup delay is measured.
//
// Threading: push() and poll_messages() are called from the owner's thread;
// GStreamer runs its own threads; the counters may be read from any thread.

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/result.h"

namespace shoal {

enum class SinkKind {
  kAuto,  // autovideosink + autoaudiosink: a window and sound
  kFake,  // fakesink: decode everything, show nothing (headless)
  kNone,  // no decoder at all (NullPlayer): many viewers on one machine
};

class Player {
 public:
  virtual ~Player() = default;  // stops the pipeline

  // Builds the pipeline and sets it playing. Fails with a clear message when a
  // GStreamer element is missing (name the Debian package that provides it).
  // SinkKind::kNone needs no GStreamer and cannot fail.
  static Result<std::unique_ptr<Player>> create(SinkKind sink);

  // Queues the TS bytes of one chunk for decoding.
  virtual void push(std::span<const uint8_t> ts) = 0;

  virtual uint64_t frames_decoded() const = 0;
  virtual std::optional<std::chrono::steady_clock::time_point> first_frame_time() const = 0;

  // Drains the pipeline's bus: errors and warnings as one-line messages. The
  // player keeps running after a decode error (a skipped chunk may cause one).
  virtual std::vector<std::string> poll_messages() = 0;
};

}  // namespace shoal
