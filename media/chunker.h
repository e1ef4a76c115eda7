#pragma once
// Chunker: where a live stream is cut into chunks, and the chunks' fields.
// Pure logic: it sees only media times, flags and the muxed bytes.
//
// The stream's "primary" units (video frames; audio frames when there is no
// video) decide the cuts. A new chunk starts at the first random-access
// primary unit at least `target` after the current chunk's start, or at any
// primary unit 2x `target` after it when no keyframe comes (that chunk is not
// random-access). Units before the first random-access unit are dropped, so
// the first chunk can be played from its start. Chunks are numbered from 0
// (or a given first number) without gaps; a chunk's duration is the media time to the next chunk's start.

#include <chrono>
#include <optional>
#include <span>

#include "media/chunk.h"

namespace shoal {

class Chunker {
 public:
  enum class Decision {
    kDrop,    // before the first random-access unit
    kAppend,  // belongs to the current chunk
    kCut,     // closes the current chunk and starts the next
  };

  // The first chunk is numbered `first` (a source that resumes a channel).
  explicit Chunker(std::chrono::microseconds target, ChunkSeq first = ChunkSeq(0))
      : target_(target), next_seq_(first) {}

  Decision classify(std::chrono::microseconds t, bool primary, bool random_access) const;
  // Closes the current chunk, if any, and starts the next one at media time `t`.
  std::optional<Chunk> cut(std::chrono::microseconds t, bool random_access, WallTime capture);
  // Adds muxed bytes to the current chunk.
  void append(std::span<const uint8_t> ts);
  // Closes the last chunk at end of input; `end` is when its last unit ends.
  std::optional<Chunk> finish(std::chrono::microseconds end);

 private:
  std::optional<Chunk> close(std::chrono::microseconds end);

  std::chrono::microseconds target_;
  std::optional<Chunk> current_;
  std::chrono::microseconds start_{0};
  ChunkSeq next_seq_{0};
};

}  // namespace shoal
