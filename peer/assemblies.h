#pragma once
// Assemblies: the chunks a viewer is receiving piece by piece, pushed down
// the stripe trees (stripe_tree.h) by up to kStripes parents. A piece is
// checked against the chunk's verified head before it is kept or passed on;
// one that fails is forged. Pieces that come before their head (it travels
// down another tree) wait, unverified and bounded in bytes, until it comes.
// A chunk that arrives whole (a pull) ends its assembly. Sans IO.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "media/chunk_head.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"

namespace shoal {

class Assemblies {
 public:
  enum class Outcome {
    ignored,   // a copy of one held, malformed, or no room to wait for its head
    early,     // kept until its head comes
    forged,    // the piece does not match its head: its sender is a forger
    kept,      // checked and kept; pass it on
    complete,  // the last piece: finish() gives the whole chunk
  };
  struct Early {
    ConnId from;
    PieceMsg piece;
  };

  // Unverified pieces waiting for their heads, in all, at most this many bytes.
  explicit Assemblies(size_t early_bytes = 16 << 20) : early_limit_(early_bytes) {}

  // A verified head. nullopt if it was known already; else the pieces that
  // came before it, to be fed through piece() again.
  std::optional<std::vector<Early>> head(const ChunkHead& head, WallTime now);
  const ChunkHead* head_of(ChunkSeq seq) const;
  bool assembling(ChunkSeq seq) const { return under_way_.contains(seq); }
  // When a piece of `seq` last came in; nullopt if none did.
  std::optional<WallTime> last_progress(ChunkSeq seq) const;

  Outcome piece(ConnId from, const PieceMsg& piece, WallTime now);
  // After `complete`: the chunk, and its assembly is gone. Pieces cut from one
  // whole chunk (as every piece is in the simulation) give that very chunk;
  // others are joined.
  std::shared_ptr<const Chunk> finish(ChunkSeq seq);

  // The chunk came whole: whether its head had come, which pieces, and the
  // pieces still waiting for the head, to be checked against the chunk; its
  // assembly is gone.
  struct Taken {
    bool had_head = false;
    std::vector<bool> held;
    std::vector<Early> early;
  };
  Taken take(ChunkSeq seq);
  // The stripes (bit s: stripe s) of which a piece is missing, once the head
  // and a piece came; 0 (the whole chunk) before.
  uint8_t missing_stripes(ChunkSeq seq) const;
  // Whether every piece of `stripe` of `seq` is held (its head came).
  bool stripe_complete(ChunkSeq seq, uint32_t stripe) const;
  // The chunks from `from` on still coming in, as far as they came: each
  // head, then the pieces held of `stripes` (bit s: stripe s), to be pushed.
  std::vector<Message> so_far(ChunkSeq from, uint8_t stripes) const;
  // Random-access chunks whose pieces are coming in (head and a piece came).
  std::vector<ChunkSeq> arriving_random_access() const;
  // Chunks before `seq` are no longer wanted.
  void drop_before(ChunkSeq seq);

 private:
  struct Assembly {
    std::optional<ChunkHead> head;
    std::vector<std::optional<PieceMsg>> pieces;  // once the head came
    size_t held = 0;
    std::vector<Early> early;
    std::optional<WallTime> last_progress;
  };
  // Its pieces waiting for a head, no longer counted against the limit.
  std::vector<Early> release_early(Assembly& a);

  size_t early_limit_;
  size_t early_bytes_ = 0;
  std::map<ChunkSeq, Assembly> under_way_;
};

}  // namespace shoal
