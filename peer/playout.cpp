#include "peer/playout.h"

namespace shoal {

std::optional<WallTime> Playout::deadline(ChunkSeq seq, const ChunkStore& store) const {
  if (const auto chunk = store.get(seq)) return chunk->capture_time + lag_;
  if (paused_) {
    const auto later = store.first_from(seq);
    if (!later) return std::nullopt;
    return later->capture_time - later->duration() * (later->seq - seq) + lag_;
  }
  if (anchor_ && seq > anchor_->seq) {
    return anchor_->capture + anchor_->duration * (seq - anchor_->seq) + lag_;
  }
  // Nothing played yet: extrapolate from the nearest chunk held.
  if (const auto near = store.nearest(seq))
    return near->capture_time + near->duration() * (seq - near->seq) + lag_;
  if (hint_) return hint_->capture + hint_->duration * (seq - hint_->seq) + lag_;
  return std::nullopt;
}

void Playout::hint(ChunkSeq seq, WallTime capture, std::chrono::milliseconds duration) {
  if (!hint_ || seq > hint_->seq) hint_ = Anchor{seq, capture, duration};
}

std::vector<PlayoutEvent> Playout::tick(WallTime now, const ChunkStore& store,
                                        std::optional<ChunkSeq> edge) {
  std::vector<PlayoutEvent> events;
  while (cursor_) {
    const ChunkSeq seq = *cursor_;
    auto chunk = store.get(seq);
    if (!chunk && anchor_ && (!edge || seq > *edge)) {
      paused_ = true;  // not published yet: nothing to skip to
      break;
    }
    const auto due = deadline(seq, store);
    if (!due || *due > now) break;
    if (!chunk && !anchor_) {  // the start never came: playback has not begun
      cursor_.reset();
      break;
    }
    if (chunk) {
      anchor_ = Anchor{seq, chunk->capture_time, chunk->duration()};
      paused_ = false;
    }
    events.push_back({seq, std::move(chunk), *due});
    cursor_ = seq.next();
  }
  return events;
}

}  // namespace shoal
