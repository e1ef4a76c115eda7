#pragma once
// Where a joining viewer starts playing, and what it fetches first: policy
// as free functions over plain values.
//
// It starts at the oldest random-access chunk due at least `margin` from now
// at a neighbour serving it: `start_margin` for one a peer holds (time to
// fetch it), `source_start_margin` if only the source holds it (the source
// turns repairs away beyond its share, so such a start needs time for a
// second try); one coming down the trees to it, `arriving_margin`; a
// random-access chunk it holds already needs no margin. The
// deadlines come from the source's word on its newest chunk, so a newcomer
// chooses as soon as the source's BUFFER_MAP is in and a peer serves it;
// without that word, from the first chunk received, which is then fetched
// first (the probe).

#include <chrono>
#include <optional>
#include <span>

#include "media/chunk.h"
#include "peer/buffer_map.h"
#include "peer/chunk_store.h"
#include "peer/playout.h"
#include "peer/scheduler.h"

namespace shoal {

struct StartConfig {
  std::chrono::milliseconds start_margin{700};
  std::chrono::milliseconds source_start_margin{1000};
  // One coming down the trees, pieces flowing in already.
  std::chrono::milliseconds arriving_margin{300};
  uint32_t window_chunks = 120;  // how far back a start may lie
};

// A neighbour as the start policy sees it.
struct StartHolder {
  bool is_source = false;
  bool serves_us = false;  // unchoked us
  const BufferMap* map = nullptr;
};

// The chunk to start at, if there is one to choose now; failing every
// margin, the newest random-access chunk held.
// `arriving`: random-access chunks coming down the trees to us.
std::optional<ChunkSeq> choose_start_point(const ChunkStore& store, const Playout& playout,
                                           std::span<const StartHolder> holders,
                                           std::span<const ChunkSeq> arriving,
                                           const StartConfig& config, WallTime now);

// The chunk to fetch first while no start is chosen: the newest start point
// overall (`edge_ra`) is fresh, held by the source and a peer or two, and so
// is the start point every newcomer of a flash crowd would ask for; one up
// to two older that a peer serving us holds is as good a start and spares
// the source.
std::optional<ChunkSeq> start_probe(std::span<const Candidate> candidates,
                                    std::optional<ChunkSeq> edge_ra);

}  // namespace shoal
