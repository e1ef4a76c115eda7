#include "peer/prober.h"

namespace shoal {

std::optional<ChunkRequest> Prober::probe(ConnId conn, ChunkSeq seq, uint32_t stripe,
                                          WallTime now) {
  if (probing(conn, now)) return std::nullopt;
  const Probe p{seq, stripe, now, now + timeout_};
  out_.emplace(conn, p);
  last_[conn] = now;
  return ChunkRequest{conn, seq, p.expires, static_cast<uint8_t>(1u << stripe), now};
}

bool Prober::probing(ConnId conn, WallTime now) const {
  const auto last = last_.find(conn);
  return out_.contains(conn) || (last != last_.end() && now - last->second < timeout_);
}

bool Prober::asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes) const {
  const auto p = out_.find(conn);
  return p != out_.end() && p->second.seq == seq && (stripes & (1u << p->second.stripe));
}

void Prober::received(ChunkSeq seq, ConnId from, uint8_t stripes) {
  if (asked_of(seq, from, stripes)) out_.erase(from);
}

bool Prober::held_piece(ChunkSeq seq, ConnId from, uint32_t index, uint32_t count) {
  const auto p = out_.find(from);
  if (p == out_.end() || p->second.seq != seq || stripe_of(index) != p->second.stripe)
    return false;
  const uint32_t in_stripe = (count + kStripes - 1 - p->second.stripe) / kStripes;
  if (++p->second.held_pieces < in_stripe) return false;
  out_.erase(p);
  return true;
}

void Prober::rejected(ChunkSeq seq, ConnId from) {
  if (asked_of(seq, from, kAllStripes)) out_.erase(from);
}

std::vector<ChunkRequest> Prober::expire(WallTime now) {
  std::vector<ChunkRequest> expired;
  std::erase_if(out_, [&](const auto& entry) {
    const auto& [conn, p] = entry;
    if (now < p.expires) return false;
    expired.push_back({conn, p.seq, p.expires, static_cast<uint8_t>(1u << p.stripe), p.sent});
    return true;
  });
  return expired;
}

std::optional<WallTime> Prober::next_expiry() const {
  std::optional<WallTime> first;
  for (const auto& [conn, p] : out_) {
    if (!first || p.expires < *first) first = p.expires;
  }
  return first;
}

}  // namespace shoal
