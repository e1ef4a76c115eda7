#pragma once
// A chunk is the unit a live channel is cut into: about half a second of
// MPEG-TS starting, when flagged random-access, at a keyframe with PAT/PMT in
// front, so that a player can start there. Chunks are numbered without gaps and
// signed by the source (see chunk_signature.h); peers trade nothing else.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <msgpack.hpp>
#include <vector>

#include "media/strong_type.h"

namespace shoal {

// Milliseconds of wall clock (system_clock) since the epoch. Capture and play
// times are compared across processes, so they use the wall clock.
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline WallTime wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

struct ChunkSeqTag {};
struct ChunkSeq : Strong<uint64_t, ChunkSeqTag> {
  using Strong::Strong;
  constexpr ChunkSeq next() const { return ChunkSeq(value + 1); }
  constexpr ChunkSeq prev() const { return ChunkSeq(value - 1); }
  constexpr ChunkSeq operator+(int64_t d) const { return ChunkSeq(value + d); }
  constexpr int64_t operator-(ChunkSeq o) const { return static_cast<int64_t>(value - o.value); }
};

using Signature = std::array<uint8_t, 64>;
using ChannelId = std::array<uint8_t, 32>;  // the source's Ed25519 public key

struct Chunk {
  static constexpr uint8_t kRandomAccess = 0x01;

  ChunkSeq seq;
  WallTime capture_time;   // source wall clock when the chunk's first frame was captured
  int64_t pts_us = 0;      // media timestamp of the chunk's first packet, microseconds
  uint32_t duration_ms = 0;
  uint8_t flags = 0;
  std::vector<uint8_t> payload;  // whole 188-byte TS packets
  Signature signature{};

  bool random_access() const { return flags & kRandomAccess; }
  std::chrono::milliseconds duration() const { return std::chrono::milliseconds(duration_ms); }

  MSGPACK_DEFINE(seq, capture_time, pts_us, duration_ms, flags, payload, signature);
};

}  // namespace shoal

// Fixed-size byte strings (keys, signatures) must arrive as bin of exactly
// their size. msgpack-cxx's own std::array adaptor accepts shorter input, and
// reads past a short str, so these full specializations replace it.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <size_t N>
  struct convert_exact_bin {
    const msgpack::object& operator()(const msgpack::object& o, std::array<uint8_t, N>& v) const {
      if (o.type != msgpack::type::BIN || o.via.bin.size != N) throw msgpack::type_error();
      std::memcpy(v.data(), o.via.bin.ptr, N);
      return o;
    }
  };
  template <>
  struct convert<shoal::ChannelId> : convert_exact_bin<32> {};
  template <>
  struct convert<shoal::Signature> : convert_exact_bin<64> {};
  }  // namespace adaptor
}
}  // namespace msgpack

template <>
struct std::hash<shoal::ChunkSeq> {
  size_t operator()(const shoal::ChunkSeq& s) const noexcept { return std::hash<uint64_t>{}(s.value); }
};
