#include "media/chunk_head.h"

#include <sodium.h>

#include <algorithm>

namespace shoal {

bool ChunkHead::well_formed() const {
  return pieces.size() == piece_count(size) && pieces.size() <= kMaxPieces;
}

size_t piece_count(size_t payload_bytes) { return (payload_bytes + kPieceBytes - 1) / kPieceBytes; }

std::span<const uint8_t> piece_of(std::span<const uint8_t> payload, size_t index) {
  const size_t begin = std::min(payload.size(), index * kPieceBytes);
  return payload.subspan(begin, std::min(kPieceBytes, payload.size() - begin));
}

Digest piece_digest(std::span<const uint8_t> piece) {
  Digest d;
  crypto_generichash(d.data(), d.size(), piece.data(), piece.size(), nullptr, 0);
  return d;
}

ChunkHead head_of(const Chunk& c) {
  ChunkHead h{.seq = c.seq,
              .capture_time = c.capture_time,
              .pts_us = c.pts_us,
              .duration_ms = c.duration_ms,
              .flags = c.flags,
              .size = static_cast<uint32_t>(c.payload.size()),
              .signature = c.signature};
  const size_t n = piece_count(c.payload.size());
  h.pieces.reserve(n);
  for (size_t i = 0; i < n; ++i) h.pieces.push_back(piece_digest(piece_of(c.payload, i)));
  return h;
}

Chunk chunk_of(const ChunkHead& h, std::vector<uint8_t> payload) {
  return Chunk{.seq = h.seq,
               .capture_time = h.capture_time,
               .pts_us = h.pts_us,
               .duration_ms = h.duration_ms,
               .flags = h.flags,
               .payload = std::move(payload),
               .signature = h.signature};
}

}  // namespace shoal
