#include "peer/assemblies.h"

#include <algorithm>
#include <utility>

namespace shoal {

std::vector<Assemblies::Early> Assemblies::release_early(Assembly& a) {
  for (const Early& e : a.early) early_bytes_ -= e.piece.data().size();
  return std::exchange(a.early, {});
}

std::optional<std::vector<Assemblies::Early>> Assemblies::head(const ChunkHead& head,
                                                                 WallTime now) {
  Assembly& a = under_way_[head.seq];
  if (a.head) return std::nullopt;
  a.head = head;
  a.pieces.assign(head.pieces.size(), std::nullopt);
  if (!a.last_progress) a.last_progress = now;
  return release_early(a);
}

const ChunkHead* Assemblies::head_of(ChunkSeq seq) const {
  const auto it = under_way_.find(seq);
  return it == under_way_.end() || !it->second.head ? nullptr : &*it->second.head;
}

std::optional<WallTime> Assemblies::last_progress(ChunkSeq seq) const {
  const auto it = under_way_.find(seq);
  return it == under_way_.end() ? std::nullopt : it->second.last_progress;
}

Assemblies::Outcome Assemblies::piece(ConnId from, const PieceMsg& p, WallTime now) {
  if (p.index >= kMaxPieces) return Outcome::ignored;
  Assembly& a = under_way_[p.seq];
  if (!a.head) {
    const size_t bytes = p.data().size();
    if (early_bytes_ + bytes > early_limit_) return Outcome::ignored;
    early_bytes_ += bytes;
    a.early.push_back({from, p});
    return Outcome::early;
  }
  if (p.index >= a.pieces.size() || p.count != a.pieces.size()) return Outcome::forged;
  const auto data = p.data();
  // A copy of one held already is checked against it: a forger is found
  // out whenever it sends.
  if (a.pieces[p.index])
    return std::ranges::equal(data, a.pieces[p.index]->data()) ? Outcome::ignored : Outcome::forged;
  const size_t size = piece_bytes(a.head->size);
  const size_t begin = std::min<size_t>(a.head->size, size_t{p.index} * size);
  if (data.size() != std::min(size, a.head->size - begin) ||
      piece_digest(data) != a.head->pieces[p.index])
    return Outcome::forged;
  a.pieces[p.index] = p;
  ++a.held;
  a.last_progress = now;
  return a.held == a.pieces.size() ? Outcome::complete : Outcome::kept;
}

std::shared_ptr<const Chunk> Assemblies::finish(ChunkSeq seq) {
  const auto it = under_way_.find(seq);
  if (it == under_way_.end() || !it->second.head || it->second.held != it->second.pieces.size())
    return nullptr;
  Assembly a = std::move(it->second);
  under_way_.erase(it);
  release_early(a);
  const auto& first = a.pieces.front()->whole;
  const bool one_whole = first && std::ranges::all_of(a.pieces, [&](const auto& p) {
                           return p->whole == first;
                         });
  if (one_whole) return first;
  std::vector<uint8_t> payload;
  payload.reserve(a.head->size);
  for (const auto& p : a.pieces) payload.insert(payload.end(), p->data().begin(), p->data().end());
  return std::make_shared<const Chunk>(chunk_of(*a.head, std::move(payload)));
}

Assemblies::Taken Assemblies::take(ChunkSeq seq) {
  const auto it = under_way_.find(seq);
  if (it == under_way_.end()) return {};
  Taken t{.had_head = it->second.head.has_value()};
  for (const auto& p : it->second.pieces) t.held.push_back(p.has_value());
  t.early = release_early(it->second);
  under_way_.erase(it);
  return t;
}

uint8_t Assemblies::missing_stripes(ChunkSeq seq) const {
  const auto it = under_way_.find(seq);
  if (it == under_way_.end() || !it->second.head) return 0;
  uint8_t missing = 0;
  for (size_t i = 0; i < it->second.pieces.size(); ++i) {
    if (!it->second.pieces[i]) missing |= static_cast<uint8_t>(1u << stripe_of(static_cast<uint32_t>(i)));
  }
  return missing == (1u << kStripes) - 1 ? 0 : missing;
}

bool Assemblies::stripe_complete(ChunkSeq seq, uint32_t stripe) const {
  const auto it = under_way_.find(seq);
  if (it == under_way_.end() || !it->second.head) return false;
  for (size_t i = stripe; i < it->second.pieces.size(); i += kStripes) {
    if (!it->second.pieces[i]) return false;
  }
  return true;
}

std::vector<ChunkSeq> Assemblies::arriving_random_access() const {
  std::vector<ChunkSeq> out;
  for (const auto& [seq, a] : under_way_) {
    if (a.head && a.held > 0 && a.head->random_access()) out.push_back(seq);
  }
  return out;
}

void Assemblies::drop_before(ChunkSeq seq) {
  const auto end = under_way_.lower_bound(seq);
  for (auto it = under_way_.begin(); it != end; ++it) release_early(it->second);
  under_way_.erase(under_way_.begin(), end);
}

std::vector<Message> Assemblies::so_far(ChunkSeq from, uint8_t stripes) const {
  std::vector<Message> out;
  for (auto it = under_way_.lower_bound(from); it != under_way_.end(); ++it) {
    const Assembly& a = it->second;
    if (!a.head) continue;
    out.push_back(ChunkHeadMsg{*a.head});
    for (const auto& piece : a.pieces) {
      if (!piece || !(stripes & (1u << stripe_of(piece->index)))) continue;
      PieceMsg pushed = *piece;
      pushed.repair = pushed.ends_request = false;
      out.push_back(std::move(pushed));
    }
  }
  return out;
}

}  // namespace shoal
