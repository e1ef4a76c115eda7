#pragma once
// Playout: when each chunk is due to play, and what happens when it is not
// there in time.
//
// Chunk s is due at capture_time(s) + lag: the peer plays a fixed lag behind
// the live edge. A chunk not yet received has its capture time extrapolated
// from the last one played (capture + duration, chunk after chunk), or before
// playback from the nearest one held, or before the first chunk from what a
// neighbour said of its newest (the timeline hint). At its
// deadline a held chunk is played; a missing one is skipped (a discontinuity),
// so playback never stalls behind a lost chunk. A chunk past the live edge
// (nobody is known to hold it: the publisher paused) is not skipped but
// waited for, and nothing counts as due meanwhile; after such a pause the
// missing chunks' deadlines come from the first chunk held after them, as
// the old timeline says nothing of when the stream resumed. Playback starts
// at a chunk the owner chooses,
// normally a random-access one. If that chunk is missing at its deadline,
// playback has not begun: the playout is unstarted again, for the owner to
// choose a later start (a longer startup delay), and nothing counts as due.

#include <chrono>
#include <optional>
#include <vector>

#include "peer/chunk_store.h"

namespace shoal {

struct PlayoutEvent {
  ChunkSeq seq;
  std::shared_ptr<const Chunk> chunk;  // null: skipped
  WallTime deadline;
};

class Playout {
 public:
  explicit Playout(std::chrono::milliseconds lag) : lag_(lag) {}

  // Playback begins at `seq`, which should be a random-access chunk.
  // started() turns false again if it is missing at its deadline.
  void start_at(ChunkSeq seq) { cursor_ = seq; }
  bool started() const { return cursor_.has_value(); }
  // The next chunk to play.
  std::optional<ChunkSeq> cursor() const { return cursor_; }

  // A neighbour's word on the timeline: chunk `seq` was captured at
  // `capture` and lasts `duration`. Used only until a chunk is held; a
  // later chunk's word replaces an earlier one.
  void hint(ChunkSeq seq, WallTime capture, std::chrono::milliseconds duration);

  // When `seq` is due; nullopt while nothing fixes the timeline yet (no chunk
  // has arrived, no hint).
  std::optional<WallTime> deadline(ChunkSeq seq, const ChunkStore& store) const;

  // Plays or skips every chunk whose deadline is at or before `now`, in order;
  // drops a start that is missing at its deadline (no event). `edge` is the
  // newest chunk known to exist, held here or by a neighbour.
  std::vector<PlayoutEvent> tick(WallTime now, const ChunkStore& store,
                                 std::optional<ChunkSeq> edge);

 private:
  struct Anchor {
    ChunkSeq seq;
    WallTime capture;
    std::chrono::milliseconds duration;
  };

  std::chrono::milliseconds lag_;
  std::optional<ChunkSeq> cursor_;
  std::optional<Anchor> anchor_;  // the last chunk played: extrapolation starts there
  bool paused_ = false;           // reached the live edge since anchor_ played
  std::optional<Anchor> hint_;
};

}  // namespace shoal
