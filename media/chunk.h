#pragma once
// A chunk is the unit a live channel is cut into: about half a second of
// MPEG-TS starting, when flagged random-access, at a keyframe with PAT/PMT in
// front, so that a player can start there. Chunks are numbered without gaps and
// signed by the source (see chunk_signature.h); peers trade nothing else.

#include <array>
#include <chrono>
#include <cstdint>
#include <msgpack.hpp>
#include <vector>

#include "media/fixed_bytes.h"
#include "media/strong_type.h"
#include "media/wire_time.h"  // WallTime on the wire, read with checked integers

namespace shoal {

// Milliseconds of wall clock (system_clock) since the epoch. Capture times
// are the source's wall clock; a viewer plays on its reading of that clock
// (peer/channel_clock.h), since its own may be off. Engines are given the
// time; only runners' transports read it (media/wall_clock.h).
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
// A monotonic time: what rates, uplinks and timers are measured on, and what
// a viewer reads the channel's clock from, since it never steps.
using MonoTime = std::chrono::steady_clock::time_point;

struct ChunkSeqTag {};
struct ChunkSeq : Strong<uint64_t, ChunkSeqTag> {
  using Strong::Strong;
  constexpr ChunkSeq next() const { return ChunkSeq(value + 1); }
  constexpr ChunkSeq prev() const { return ChunkSeq(value - 1); }
  constexpr ChunkSeq operator+(int64_t d) const { return ChunkSeq(value + d); }
  constexpr int64_t operator-(ChunkSeq o) const { return static_cast<int64_t>(value - o.value); }
};

struct Chunk {
  static constexpr uint8_t kRandomAccess = 0x01;

  ChunkSeq seq;
  WallTime capture_time;  // source wall clock when the chunk's first frame was captured
  int64_t pts_us = 0;     // media timestamp of the chunk's first packet, microseconds
  uint32_t duration_ms = 0;
  uint8_t flags = 0;
  std::vector<uint8_t> payload;  // whole 188-byte TS packets
  Signature signature{};

  bool random_access() const { return flags & kRandomAccess; }
  std::chrono::milliseconds duration() const { return std::chrono::milliseconds(duration_ms); }

  MSGPACK_DEFINE(seq, capture_time, pts_us, duration_ms, flags, payload, signature);
};

}  // namespace shoal

template <>
struct std::hash<shoal::ChunkSeq> {
  size_t operator()(const shoal::ChunkSeq& s) const noexcept {
    return std::hash<uint64_t>{}(s.value);
  }
};
