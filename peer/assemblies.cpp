#include "peer/assemblies.h"

#include <algorithm>
#include <ranges>

namespace shoal {

void Assemblies::start(ConnId from, ChunkHead head, std::vector<ConnId> targets, WallTime now) {
  const ChunkSeq seq = head.seq;
  under_way_.emplace(seq, Assembly{from, std::move(head), std::move(targets), {}, now});
}

const Assemblies::Assembly* Assemblies::find(ChunkSeq seq) const {
  const auto it = under_way_.find(seq);
  return it == under_way_.end() ? nullptr : &it->second;
}

Assemblies::Outcome Assemblies::piece(ConnId from, const PieceMsg& p, WallTime now) {
  const auto it = under_way_.find(p.seq);
  if (it == under_way_.end() || it->second.from != from) return Outcome::ignored;
  Assembly& a = it->second;
  // Pieces come in order on one connection: any other is not the next one.
  if (p.index != a.pieces.size() || p.count != a.head.pieces.size()) return Outcome::ignored;
  const auto data = p.data();
  const size_t expected = std::min(kPieceBytes, a.head.size - size_t{p.index} * kPieceBytes);
  if (data.size() != expected || piece_digest(data) != a.head.pieces[p.index])
    return Outcome::forged;
  a.pieces.push_back(p);
  a.last_progress = now;
  return a.pieces.size() == a.head.pieces.size() ? Outcome::complete : Outcome::kept;
}

std::shared_ptr<const Chunk> Assemblies::finish(ChunkSeq seq) {
  const auto it = under_way_.find(seq);
  if (it == under_way_.end()) return nullptr;
  Assembly a = std::move(it->second);
  under_way_.erase(it);
  const auto& first = a.pieces.front().whole;
  const bool one_whole = first && std::ranges::all_of(a.pieces, [&](const PieceMsg& p) {
                           return p.whole == first;
                         });
  if (one_whole) return first;
  std::vector<uint8_t> payload;
  payload.reserve(a.head.size);
  for (const PieceMsg& p : a.pieces) payload.insert(payload.end(), p.data().begin(), p.data().end());
  return std::make_shared<const Chunk>(chunk_of(a.head, std::move(payload)));
}

std::vector<Assemblies::Assembly> Assemblies::forget(ConnId conn) {
  std::vector<Assembly> gone;
  for (auto it = under_way_.begin(); it != under_way_.end();) {
    if (it->second.from == conn) {
      gone.push_back(std::move(it->second));
      it = under_way_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

std::vector<Assemblies::Assembly> Assemblies::expire(WallTime now,
                                                     std::chrono::milliseconds stall) {
  std::vector<Assembly> gone;
  for (auto it = under_way_.begin(); it != under_way_.end();) {
    if (now - it->second.last_progress > stall) {
      gone.push_back(std::move(it->second));
      it = under_way_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

void Assemblies::drop_target(ConnId conn) {
  for (auto& [seq, a] : under_way_) std::erase(a.targets, conn);
}

bool Assemblies::drop_target(ChunkSeq seq, ConnId conn) {
  const auto it = under_way_.find(seq);
  return it != under_way_.end() && std::erase(it->second.targets, conn) > 0;
}

}  // namespace shoal
