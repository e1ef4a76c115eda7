#pragma once
// BufferMap: which chunks of the sliding window a node holds, and which of
// those are random-access points. Peers keep one for themselves and one per
// neighbour, built from BUFFER_MAP and HAVE messages.

#include <map>
#include <optional>

#include "media/chunk.h"
#include "overlay/wire/messages.h"

namespace shoal {

class BufferMap {
 public:
  // Largest window a BUFFER_MAP may describe; a bigger claim is malformed.
  static constexpr uint32_t kMaxCount = 1 << 16;

  void add(ChunkSeq seq, bool random_access);
  bool has(ChunkSeq seq) const { return held_.contains(seq); }
  bool random_access(ChunkSeq seq) const {
    const auto it = held_.find(seq);
    return it != held_.end() && it->second;
  }
  bool empty() const { return held_.empty(); }
  size_t size() const { return held_.size(); }
  std::optional<ChunkSeq> newest() const;
  std::optional<ChunkSeq> newest_random_access() const;

  // Drops everything older than `seq` (the window slides forward).
  void forget_before(ChunkSeq seq);

  // The map of [base, base + count) as a message.
  BufferMapMsg to_message(ChunkSeq base, uint32_t count) const;
  // Replaces the contents with a received map. False if the message is
  // malformed (count too large, bit arrays of the wrong length).
  bool assign(const BufferMapMsg& m);
  void apply(const HaveMsg& m);

 private:
  std::map<ChunkSeq, bool> held_;  // seq -> random access
};

}  // namespace shoal
