#include "peer/chunk_store.h"

namespace shoal {

ChunkSeq ChunkStore::window_base() const {
  const auto newest = map_.newest();
  if (!newest || newest->value + 1 < capacity_) return ChunkSeq(0);
  return *newest + (1 - static_cast<int64_t>(capacity_));
}

bool ChunkStore::add(std::shared_ptr<const Chunk> chunk) {
  const ChunkSeq seq = chunk->seq;
  if (chunks_.contains(seq) || seq < window_base()) return false;
  map_.add(seq, chunk->random_access());
  chunks_.emplace(seq, std::move(chunk));
  const ChunkSeq base = window_base();
  chunks_.erase(chunks_.begin(), chunks_.lower_bound(base));
  map_.forget_before(base);
  return true;
}

BufferMapMsg ChunkStore::to_message() const { return map_.to_message(window_base(), capacity()); }

std::shared_ptr<const Chunk> ChunkStore::newest() const {
  return chunks_.empty() ? nullptr : chunks_.rbegin()->second;
}

std::shared_ptr<const Chunk> ChunkStore::get(ChunkSeq seq) const {
  const auto it = chunks_.find(seq);
  return it == chunks_.end() ? nullptr : it->second;
}

std::shared_ptr<const Chunk> ChunkStore::first_from(ChunkSeq seq) const {
  const auto at = chunks_.lower_bound(seq);
  return at == chunks_.end() ? nullptr : at->second;
}

std::shared_ptr<const Chunk> ChunkStore::nearest(ChunkSeq seq) const {
  const auto after = chunks_.lower_bound(seq);
  if (after == chunks_.begin()) return after == chunks_.end() ? nullptr : after->second;
  const auto before = std::prev(after);
  if (after == chunks_.end() || seq - before->first < after->first - seq) return before->second;
  return after->second;
}

}  // namespace shoal
