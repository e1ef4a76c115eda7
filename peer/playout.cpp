#include "peer/playout.h"

namespace shoal {

std::optional<WallTime> Playout::deadline(ChunkSeq seq, const ChunkStore& store) const {
  if (const auto chunk = store.get(seq)) return chunk->capture_time + lag_;
  if (anchor_ && seq > anchor_->seq) {
    return anchor_->capture + anchor_->duration * (seq - anchor_->seq) + lag_;
  }
  // Nothing played yet: extrapolate from the nearest chunk held.
  const auto near = store.nearest(seq);
  if (!near) return std::nullopt;
  return near->capture_time + near->duration() * (seq - near->seq) + lag_;
}

std::vector<PlayoutEvent> Playout::tick(WallTime now, const ChunkStore& store) {
  std::vector<PlayoutEvent> events;
  while (cursor_) {
    const ChunkSeq seq = *cursor_;
    const auto due = deadline(seq, store);
    if (!due || *due > now) break;
    auto chunk = store.get(seq);
    if (!chunk && !anchor_) {  // the start never came: playback has not begun
      cursor_.reset();
      break;
    }
    if (chunk) anchor_ = Anchor{seq, chunk->capture_time, chunk->duration()};
    events.push_back({seq, std::move(chunk), *due});
    cursor_ = seq.next();
  }
  return events;
}

}  // namespace shoal
