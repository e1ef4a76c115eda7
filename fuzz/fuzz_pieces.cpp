// Fuzz target: chunk and piece verification as a viewer does it, over the
// frames of one connection. A CHUNK is checked whole (verify_chunk); a
// CHUNK_HEAD is checked (verify_head) and, if only well formed, assembled
// anyway so that the fuzzer reaches the pieces; each PIECE is checked against
// its head (peer/assemblies.h). A chunk assembled under a head that the
// channel signed must verify whole; any assembled chunk must match its head.
#include <cstdlib>
#include <set>

#include "fuzz/frame_stream.h"
#include "fuzz/seed_key.h"
#include "media/chunk_signature.h"
#include "peer/assemblies.h"

namespace shoal {
namespace {

void take_piece(Assemblies& a, const std::set<ChunkSeq>& signed_heads, ConnId from,
                const PieceMsg& piece, WallTime now) {
  if (a.piece(from, piece, now) != Assemblies::Outcome::complete) return;
  const ChunkHead head = *a.head_of(piece.seq);
  const auto chunk = a.finish(piece.seq);
  if (!chunk || head_of(*chunk).pieces != head.pieces) std::abort();
  if (signed_heads.contains(piece.seq) && !verify_chunk(fuzz::seed_key().channel(), *chunk)) {
    std::abort();
  }
}

}  // namespace
}  // namespace shoal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shoal;
  const ChannelId& channel = fuzz::seed_key().channel();
  Assemblies assemblies(64 << 10);
  std::set<ChunkSeq> signed_heads;
  WallTime now(std::chrono::milliseconds(1'700'000'000'000));
  uint64_t n = 0;
  fuzz::FrameStream frames(std::span(data, size));
  for (auto frame = frames.next(); !frame.empty(); frame = frames.next(), ++n) {
    now += std::chrono::milliseconds(10);
    const auto m = decode_frame(frame);
    if (!m) continue;
    const ConnId from(n % 3);
    if (const auto* c = std::get_if<ChunkMsg>(&*m)) {
      (void)verify_chunk(channel, *c->chunk);
      assemblies.take(c->chunk->seq);
    } else if (const auto* h = std::get_if<ChunkHeadMsg>(&*m)) {
      if (verify_head(channel, h->head)) signed_heads.insert(h->head.seq);
      if (!h->head.well_formed()) continue;
      const auto early = assemblies.head(h->head, now);
      if (!early) continue;
      for (const auto& e : *early) take_piece(assemblies, signed_heads, e.from, e.piece, now);
    } else if (const auto* p = std::get_if<PieceMsg>(&*m)) {
      take_piece(assemblies, signed_heads, from, *p, now);
      (void)assemblies.missing_stripes(p->seq);
    } else if (const auto* r = std::get_if<RequestMsg>(&*m)) {
      (void)assemblies.so_far(r->seq, r->stripes);
      assemblies.drop_before(r->seq);
    }
  }
  return 0;
}
