#pragma once
// Assemblies: the pushed chunks a viewer is receiving piece by piece, each
// from the neighbour that pushed its verified head, and the neighbours it
// passes each piece on to as it arrives (cut-through: a hop costs a piece's
// transmission, not a chunk's). A piece is checked against the head's digest
// before it is kept or passed on; one that fails is forged. An assembly whose
// pieces stop coming is given up, and pulls fetch the chunk instead. Sans IO.

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "media/chunk_head.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"

namespace shoal {

class Assemblies {
 public:
  struct Assembly {
    ConnId from;
    ChunkHead head;
    std::vector<ConnId> targets;  // where its pieces go on to
    std::vector<PieceMsg> pieces;  // received, in order
    WallTime last_progress;
  };

  enum class Outcome {
    ignored,   // no assembly of that chunk from that neighbour, or out of order
    forged,    // the piece does not match its head: its sender is a forger
    kept,      // checked and kept; pass it on to the targets
    complete,  // the last piece: chunk() is the whole chunk
  };

  // A verified head from `from` starts an assembly.
  void start(ConnId from, ChunkHead head, std::vector<ConnId> targets, WallTime now);
  bool assembling(ChunkSeq seq) const { return under_way_.contains(seq); }
  const Assembly* find(ChunkSeq seq) const;

  Outcome piece(ConnId from, const PieceMsg& piece, WallTime now);
  // After `complete`: the chunk, and its assembly is gone. Pieces cut from one
  // whole chunk (as every piece is in the simulation) give that very chunk;
  // others are joined.
  std::shared_ptr<const Chunk> finish(ChunkSeq seq);

  // Assemblies that gave up: those from `conn`, or stalled since `stall`
  // before now; they are gone, and their targets should be released.
  std::vector<Assembly> forget(ConnId conn);
  std::vector<Assembly> expire(WallTime now, std::chrono::milliseconds stall);
  // `conn` is gone: no piece goes on to it.
  void drop_target(ConnId conn);
  // `conn` holds `seq` already (it said CANCEL): no piece goes on to it.
  bool drop_target(ChunkSeq seq, ConnId conn);

 private:
  std::map<ChunkSeq, Assembly> under_way_;
};

}  // namespace shoal
