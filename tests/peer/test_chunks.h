#pragma once
// Builds signed chunks for engine tests: chunk n is captured at
// kEpoch + n * 500 ms and lasts 500 ms.

#include <memory>

#include "media/chunk_signature.h"

namespace shoal::testing {

inline const WallTime kEpoch{std::chrono::milliseconds(1'800'000'000'000)};

inline ChannelKey test_key(uint8_t fill = 1) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return ChannelKey::from_seed(seed);
}

// `bytes` of payload: 188 (one TS packet) unless a test needs several pieces.
inline Chunk make_chunk(const ChannelKey& key, uint64_t seq, bool random_access = true,
                        size_t bytes = 188) {
  Chunk c;
  c.seq = ChunkSeq(seq);
  c.capture_time = kEpoch + std::chrono::milliseconds(500 * seq);
  c.pts_us = 500'000 * static_cast<int64_t>(seq);
  c.duration_ms = 500;
  c.flags = random_access ? Chunk::kRandomAccess : 0;
  c.payload.assign(bytes, static_cast<uint8_t>(seq));
  key.sign(c);
  return c;
}

inline std::shared_ptr<const Chunk> shared_chunk(const ChannelKey& key, uint64_t seq,
                                                 bool random_access = true, size_t bytes = 188) {
  return std::make_shared<const Chunk>(make_chunk(key, seq, random_access, bytes));
}

}  // namespace shoal::testing
