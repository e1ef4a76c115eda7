#include "peer/choker.h"

#include <algorithm>

namespace shoal {

std::vector<ConnId> rank_by_rate(std::span<const NeighbourRate> neighbours, int slots) {
  std::vector<NeighbourRate> candidates;
  for (const auto& n : neighbours) {
    if (n.interested || n.bytes_per_second > 0) candidates.push_back(n);
  }
  const auto better = [](const NeighbourRate& a, const NeighbourRate& b) {
    return a.bytes_per_second != b.bytes_per_second ? a.bytes_per_second > b.bytes_per_second
                                                    : a.conn < b.conn;
  };
  const size_t k = std::min<size_t>(std::max(slots, 0), candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(), better);
  std::vector<ConnId> top;
  for (size_t i = 0; i < k; ++i) top.push_back(candidates[i].conn);
  return top;
}

bool deserves_spare_slot(const NeighbourRate& n) {
  return n.bytes_per_second > 0 || n.starting || n.newcomer;
}

Choker::Change Choker::tick(WallTime now, std::span<const NeighbourRate> neighbours,
                            UplinkLoad uplink) {
  const auto ranked = rank_by_rate(neighbours, static_cast<int>(neighbours.size()));
  const auto spare = [&](ConnId c) { return std::ranges::find(spare_, c) != spare_.end(); };
  std::set<ConnId> deserving;
  for (const auto& n : neighbours) {
    if (deserves_spare_slot(n)) deserving.insert(n.conn);
  }
  if (now >= next_rechoke_) {
    regular_.clear();
    const size_t spare_slots = spare_.size();
    spare_.clear();
    for (ConnId c : ranked) {
      if (regular_.size() < static_cast<size_t>(config_.regular_slots)) {
        regular_.insert(c);
      } else if (spare_.size() < spare_slots && deserving.contains(c)) {
        spare_.push_back(c);
      }
    }
    if (optimistic_ && (regular_.contains(*optimistic_) || spare(*optimistic_)))
      optimistic_.reset();
    next_rechoke_ = now + config_.rechoke_interval;
  }
  // A regular slot left free (a neighbour went away, a newcomer arrived) is
  // filled at once rather than idling until the next rechoke; nobody who
  // holds a slot loses it between rechokes.
  for (ConnId c : ranked) {
    if (regular_.size() >= static_cast<size_t>(config_.regular_slots)) break;
    if (optimistic_ == c) continue;
    regular_.insert(c);
    std::erase(spare_, c);
  }
  const auto choked = [&](ConnId c) {
    return !regular_.contains(c) && !spare(c) && optimistic_ != c;
  };
  const auto room = [&] { return spare_.size() < static_cast<size_t>(config_.max_spare_slots); };
  // A viewer waiting for its first chunk should not wait for the next interval.
  for (const auto& n : neighbours) {
    if (uplink == UplinkLoad::saturated || !room()) break;
    if (n.interested && n.starting && choked(n.conn)) spare_.push_back(n.conn);
  }
  if (now >= next_spare_) {
    if (uplink == UplinkLoad::spare && room()) {
      const auto next = std::ranges::find_if(
          ranked, [&](ConnId c) { return choked(c) && deserving.contains(c); });
      if (next != ranked.end()) spare_.push_back(*next);
    } else if (uplink == UplinkLoad::saturated && !spare_.empty()) {
      spare_.pop_back();
    }
    next_spare_ = now + config_.spare_interval;
  }
  if (now >= next_optimistic_ || (optimistic_ && regular_.contains(*optimistic_))) {
    std::vector<ConnId> choked;
    for (const auto& n : neighbours) {
      if (n.interested && !regular_.contains(n.conn) && !spare(n.conn)) choked.push_back(n.conn);
    }
    optimistic_.reset();
    if (!choked.empty()) optimistic_ = choked[rng_() % choked.size()];
    next_optimistic_ = now + config_.optimistic_interval;
  }

  std::set<ConnId> now_unchoked = regular_;
  now_unchoked.insert(spare_.begin(), spare_.end());
  if (optimistic_) now_unchoked.insert(*optimistic_);
  Change change;
  std::ranges::set_difference(now_unchoked, unchoked_, std::back_inserter(change.unchoke));
  std::ranges::set_difference(unchoked_, now_unchoked, std::back_inserter(change.choke));
  unchoked_ = std::move(now_unchoked);
  return change;
}

void Choker::forget(ConnId conn) {
  regular_.erase(conn);
  std::erase(spare_, conn);
  unchoked_.erase(conn);
  if (optimistic_ == conn) optimistic_.reset();
}

}  // namespace shoal
