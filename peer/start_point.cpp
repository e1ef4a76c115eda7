#include "peer/start_point.h"

#include <algorithm>
#include <map>

namespace shoal {

namespace {
// A newcomer probes at most this many chunks behind the newest start point.
constexpr int kStartSpan = 2;
}  // namespace

std::optional<ChunkSeq> choose_start_point(const ChunkStore& store, const Playout& playout,
                                           std::span<const StartHolder> holders,
                                           std::span<const ChunkSeq> arriving,
                                           const StartConfig& config, WallTime now) {
  auto newest = store.map().newest();
  if (!newest) {
    std::optional<ChunkSeq> at_source;
    bool peer_serves = false;
    for (const StartHolder& h : holders) {
      if (h.is_source) at_source = h.map->newest();
      peer_serves = peer_serves || (!h.is_source && h.serves_us);
    }
    if (!peer_serves) return std::nullopt;
    newest = at_source;
  }
  if (!newest) return std::nullopt;
  // Start points with the margin each needs.
  std::map<ChunkSeq, std::chrono::milliseconds> starts;
  const auto span =
      static_cast<int64_t>(std::min<uint64_t>(newest->value, config.window_chunks - 1));
  for (const StartHolder& h : holders) {
    if (!h.serves_us) continue;
    const auto margin = h.is_source ? config.source_start_margin : config.start_margin;
    for (ChunkSeq s = *newest + (-span); s <= *newest; s = s.next()) {
      if (!h.map->has(s) || !h.map->random_access(s)) continue;
      const auto [it, fresh] = starts.emplace(s, margin);
      if (!fresh) it->second = std::min(it->second, margin);
    }
  }
  for (const ChunkSeq s : arriving) {
    const auto [it, fresh] = starts.emplace(s, config.arriving_margin);
    if (!fresh) it->second = std::min(it->second, config.arriving_margin);
  }
  if (const auto ra = store.map().newest_random_access())
    starts[*ra] = std::chrono::milliseconds(0);
  for (const auto& [s, margin] : starts) {
    const auto due = playout.deadline(s, store);
    if (due && *due >= now + (store.has(s) ? std::chrono::milliseconds(0) : margin)) return s;
  }
  return store.map().newest_random_access();
}

std::optional<ChunkSeq> start_probe(std::span<const Candidate> candidates,
                                    std::optional<ChunkSeq> edge_ra) {
  if (!edge_ra) return std::nullopt;
  std::optional<ChunkSeq> best;
  for (const Candidate& c : candidates) {
    if (c.is_source) continue;
    for (ChunkSeq s = *edge_ra + (-kStartSpan); s <= *edge_ra; s = s.next()) {
      if (c.map->has(s) && c.map->random_access(s) && (!best || s > *best)) best = s;
    }
  }
  return best ? best : edge_ra;
}

}  // namespace shoal
