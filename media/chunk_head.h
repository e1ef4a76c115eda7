#pragma once
// A chunk's head and its pieces. A chunk travels whole (CHUNK) or, when it is
// pushed, as its head and then its pieces (CHUNK_HEAD, PIECE), which a relay
// passes on as they arrive instead of after the whole chunk: a hop then costs
// one piece's transmission, not a chunk's.
//
// The payload is cut into a multiple of kStripes pieces of equal size (the
// last ones shorter), about kPieceTarget each; piece i belongs to stripe
// i % kStripes, and each stripe flows down its own push tree
// (peer/stripe_tree.h). Small pieces keep a hop's cost low: a relay passes a
// piece on once it has all of it. The head holds the chunk's fields, its payload size and a SHA-256 digest of
// each piece; the source's signature covers all of it (chunk_signature.h), so
// a piece is verified against a verified head before it is stored or passed
// on, and a whole chunk is verified by digesting its pieces.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "media/chunk.h"

namespace shoal {

inline constexpr size_t kStripes = 4;
inline constexpr size_t kPieceTarget = 8 * 1024;
inline constexpr size_t kMaxPieces = 1024;  // 8 MiB: more than any frame may hold

constexpr uint32_t stripe_of(uint32_t piece_index) { return piece_index % kStripes; }
// A set of stripes, bit s for stripe s.
inline constexpr uint8_t kAllStripes = (1u << kStripes) - 1;

using Digest = std::array<uint8_t, 32>;  // SHA-256

struct ChunkHead {
  ChunkSeq seq;
  WallTime capture_time;
  int64_t pts_us = 0;
  uint32_t duration_ms = 0;
  uint8_t flags = 0;
  uint32_t size = 0;            // payload bytes
  std::vector<Digest> pieces;   // one per piece, in order
  Signature signature{};

  bool random_access() const { return flags & Chunk::kRandomAccess; }
  // Whether `size` and the number of digests agree.
  bool well_formed() const;

  MSGPACK_DEFINE(seq, capture_time, pts_us, duration_ms, flags, size, pieces, signature);
};

size_t piece_count(size_t payload_bytes);
// The size of every piece but the last ones.
size_t piece_bytes(size_t payload_bytes);
// Piece `index` of `payload`; empty past the end.
std::span<const uint8_t> piece_of(std::span<const uint8_t> payload, size_t index);
Digest piece_digest(std::span<const uint8_t> piece);
// The head of `chunk`, its signature included.
ChunkHead head_of(const Chunk& chunk);
// The chunk of `head` with `payload` (whose pieces were checked against it).
Chunk chunk_of(const ChunkHead& head, std::vector<uint8_t> payload);

}  // namespace shoal
