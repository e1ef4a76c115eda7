#include "overlay/wire/push_messages.h"

namespace shoal {

std::vector<Message> push_messages(const std::shared_ptr<const Chunk>& chunk, bool requested,
                                   uint8_t stripes) {
  ChunkHead head = head_of(*chunk);
  const auto count = static_cast<uint32_t>(head.pieces.size());
  std::vector<Message> out;
  out.reserve(count + 1);
  out.push_back(ChunkHeadMsg{std::move(head)});
  PieceMsg* last = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    if (stripes != 0 && !(stripes & (1u << stripe_of(i)))) continue;
    out.push_back(PieceMsg{.seq = chunk->seq,
                           .index = i,
                           .count = count,
                           .whole = chunk,
                           .repair = requested});
    last = &std::get<PieceMsg>(out.back());
  }
  if (requested && last) last->ends_request = true;
  return out;
}

}  // namespace shoal
