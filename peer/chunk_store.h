#pragma once
// ChunkStore: the verified chunks a node holds, over a sliding window of the
// newest `capacity` sequence numbers. Chunks are shared, immutable, so handing
// one to the player and to several neighbours copies no payload.

#include <map>
#include <memory>

#include "media/chunk.h"
#include "peer/buffer_map.h"

namespace shoal {

class ChunkStore {
 public:
  explicit ChunkStore(size_t capacity) : capacity_(capacity) {}

  // Stores a verified chunk; false if it is a duplicate or already outside the window.
  bool add(std::shared_ptr<const Chunk> chunk);
  std::shared_ptr<const Chunk> get(ChunkSeq seq) const;
  bool has(ChunkSeq seq) const { return chunks_.contains(seq); }
  // The held chunk nearest to `seq`, the later one on a tie; null if empty.
  std::shared_ptr<const Chunk> nearest(ChunkSeq seq) const;
  // The first held chunk at or after `seq`; null if none.
  std::shared_ptr<const Chunk> first_from(ChunkSeq seq) const;
  const BufferMap& map() const { return map_; }
  // The BUFFER_MAP of the whole window.
  BufferMapMsg to_message() const;
  std::shared_ptr<const Chunk> newest() const;  // null if empty
  // First sequence number of the window, from the newest chunk held.
  ChunkSeq window_base() const;
  uint32_t capacity() const { return static_cast<uint32_t>(capacity_); }

 private:
  size_t capacity_;
  std::map<ChunkSeq, std::shared_ptr<const Chunk>> chunks_;
  BufferMap map_;
};

}  // namespace shoal
