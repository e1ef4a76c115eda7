#include "peer/scheduler.h"

#include <algorithm>

namespace shoal {

using std::chrono::milliseconds;

milliseconds Scheduler::answer_time(ConnId conn) const {
  const auto it = answer_time_.find(conn);
  return it == answer_time_.end() ? config_.initial_answer_time : it->second;
}

uint8_t Scheduler::in_flight_stripes(ChunkSeq seq) const {
  uint8_t stripes = 0;
  for (auto it = in_flight_.lower_bound({seq, 0}); it != in_flight_.end() && it->first.first == seq;
       ++it)
    stripes |= static_cast<uint8_t>(1u << it->first.second);
  return stripes;
}

bool Scheduler::asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes) const {
  for (auto it = in_flight_.lower_bound({seq, 0}); it != in_flight_.end() && it->first.first == seq;
       ++it) {
    if (it->second.conn == conn && (stripes & (1u << it->first.second))) return true;
  }
  return false;
}

void Scheduler::issue(std::vector<ChunkRequest>& out, const WantedChunk& w, uint32_t stripe,
                      const Candidate& to, WallTime now) {
  const ConnId conn = to.conn;
  const bool is_source = to.is_source;
  WallTime expires = now + (to.proven ? config_.request_timeout : config_.unproven_timeout);
  // A peer request is cut short to leave time for a rescue, unless that time
  // has come already: then it waits to the deadline, as nobody else can help.
  if (!is_source && w.deadline) {
    const WallTime rescue = *w.deadline - config_.rescue_margin;
    expires = std::min(expires, rescue > now ? rescue : *w.deadline);
  }
  in_flight_[{w.seq, stripe}] = Outstanding{conn, is_source, now, expires};
  ++load_[conn];
  const auto bit = static_cast<uint8_t>(1u << stripe);
  const auto same = std::ranges::find_if(
      out, [&](const ChunkRequest& r) { return r.conn == conn && r.seq == w.seq; });
  if (same != out.end()) {
    same->stripes |= bit;
  } else {
    out.push_back({conn, w.seq, expires, bit});
  }
}

void Scheduler::drop(ChunkSeq seq, ConnId conn) {
  for (auto it = in_flight_.lower_bound({seq, 0}); it != in_flight_.end() && it->first.first == seq;) {
    if (it->second.conn != conn) {
      ++it;
      continue;
    }
    --load_[conn];
    it = in_flight_.erase(it);
  }
}

std::vector<ChunkRequest> Scheduler::plan(WallTime now, std::span<const WantedChunk> wanted,
                                          std::span<const Candidate> neighbours) {
  std::vector<ChunkRequest> out;
  if (wanted.empty()) return out;

  const auto has_room = [&](const Candidate& c) {
    if (c.is_source && now < source_rested_until_) return false;
    const int chunks = c.is_source ? config_.max_in_flight_source : config_.max_in_flight;
    const int stripes = c.proven ? chunks * static_cast<int>(kStripes) : config_.unproven_in_flight;
    return load_[c.conn] < stripes;
  };
  // An answer time is a whole chunk's; a stripe in flight adds a quarter.
  const auto expected = [&](const Candidate& c) {
    return answer_time(c.conn) * (load_[c.conn] + static_cast<int>(kStripes)) /
           static_cast<int>(kStripes);
  };
  const auto failed_at = [&](ChunkSeq seq, ConnId conn) {
    const auto it = failed_.find(seq);
    if (it == failed_.end()) return false;
    const auto until = it->second.find(conn);
    return until != it->second.end() && now < until->second;
  };
  // The peer holding `seq` expected to deliver it soonest.
  const auto soonest_peer = [&](ChunkSeq seq, bool urgent) -> const Candidate* {
    const Candidate* best = nullptr;
    for (const Candidate& c : neighbours) {
      if (c.is_source || !c.map->has(seq) || !has_room(c) || failed_at(seq, c.conn)) continue;
      if (urgent && c.failed_us) continue;
      if (!best || expected(c) < expected(*best)) best = &c;
    }
    return best;
  };

  const auto stripes_of = [&](const WantedChunk& w) {
    std::vector<uint32_t> stripes;
    const uint8_t asked = in_flight_stripes(w.seq);
    for (uint32_t st = 0; st < kStripes; ++st) {
      if ((w.stripes & ~asked) & (1u << st)) stripes.push_back(st);
    }
    return stripes;
  };

  std::vector<WantedChunk> later;
  for (const WantedChunk& w : wanted) {
    if (w.deadline && *w.deadline - now > config_.urgent_window) {
      later.push_back(w);
      continue;
    }
    for (const uint32_t stripe : stripes_of(w)) {
      const Candidate* peer = soonest_peer(w.seq, true);
      // An urgent chunk goes to one that never answered only if the source
      // cannot take it.
      const bool peer_in_time = peer && peer->proven &&
                                (!w.deadline || now + expected(*peer) <= *w.deadline - config_.rescue_margin);
      const bool source_time = !w.deadline || *w.deadline - now <= config_.source_window;
      const auto source = std::ranges::find_if(neighbours, [&](const Candidate& c) {
        return source_time && c.is_source && c.map->has(w.seq) && has_room(c) &&
               !failed_at(w.seq, c.conn);
      });
      if (peer_in_time || (peer && source == neighbours.end())) {
        issue(out, w, stripe, *peer, now);
      } else if (source != neighbours.end()) {
        issue(out, w, stripe, *source, now);
      }
    }
  }

  // Rarest first: fewest peer holders, ties broken at random.
  std::vector<std::pair<std::pair<size_t, uint64_t>, WantedChunk>> by_rarity;
  for (const WantedChunk& w : later) {
    const auto holders = std::ranges::count_if(
        neighbours, [&](const Candidate& c) { return !c.is_source && c.map->has(w.seq); });
    if (holders > 0) by_rarity.push_back({{holders, rng_()}, w});
  }
  std::ranges::sort(by_rarity, {}, [](const auto& e) { return e.first; });
  for (const auto& [rarity, w] : by_rarity) {
    for (const uint32_t stripe : stripes_of(w)) {
      if (const Candidate* peer = soonest_peer(w.seq, false)) issue(out, w, stripe, *peer, now);
    }
  }
  return out;
}

std::vector<ConnId> Scheduler::received(ChunkSeq seq, ConnId from, WallTime now,
                                        uint8_t stripes) {
  std::vector<ConnId> elsewhere;
  std::optional<WallTime> sent;
  for (uint32_t stripe = 0; stripe < kStripes; ++stripe) {
    if (!(stripes & (1u << stripe))) continue;
    const auto it = in_flight_.find({seq, stripe});
    if (it == in_flight_.end()) continue;
    const Outstanding out = it->second;
    if (out.conn != from) {
      if (std::ranges::find(elsewhere, out.conn) == elsewhere.end()) elsewhere.push_back(out.conn);
      continue;
    }
    in_flight_.erase(it);
    --load_[from];
    sent = out.sent;
  }
  // Smoothed, so that one slow answer does not make a neighbour look useless.
  if (sent) {
    const milliseconds sample = std::chrono::duration_cast<milliseconds>(now - *sent);
    answer_time_[from] = (answer_time(from) * 7 + sample * 3) / 10;
  }
  for (const ConnId conn : elsewhere) drop(seq, conn);
  return elsewhere;
}

bool Scheduler::rejected(ChunkSeq seq, ConnId from, WallTime now) {
  bool source = false, late = false;
  for (const auto& [part, out] : in_flight_) {
    if (part.first != seq || out.conn != from) continue;
    source = source || out.source;
    late = late || now - out.sent > (out.expires - out.sent) / 2;
  }
  const size_t before = in_flight_.size();
  drop(seq, from);
  if (in_flight_.size() == before) return false;
  failed_[seq][from] = now + config_.retry_after_reject;
  if (source) source_rested_until_ = now + config_.retry_after_reject;
  return late;
}

std::vector<ChunkRequest> Scheduler::expire(WallTime now) {
  std::vector<ChunkRequest> expired;
  std::erase_if(in_flight_, [&](const auto& entry) {
    const auto& [part, out] = entry;
    if (now < out.expires) return false;
    --load_[out.conn];
    if (!out.source) failed_[part.first][out.conn] = WallTime::max();
    const auto bit = static_cast<uint8_t>(1u << part.second);
    const auto same = std::ranges::find_if(expired, [&](const ChunkRequest& r) {
      return r.conn == out.conn && r.seq == part.first;
    });
    if (same != expired.end()) {
      same->stripes |= bit;
    } else {
      expired.push_back({out.conn, part.first, out.expires, bit, out.sent});
    }
    return true;
  });
  // Whatever else the neighbour had of those chunks goes with the CANCEL.
  for (const ChunkRequest& r : expired) {
    drop(r.seq, r.conn);
    answer_time_[r.conn] = std::min(answer_time(r.conn) * 2, config_.request_timeout);
  }
  return expired;
}

void Scheduler::forget(ConnId conn) {
  std::erase_if(in_flight_, [&](const auto& entry) { return entry.second.conn == conn; });
  load_.erase(conn);
  answer_time_.erase(conn);
}

std::optional<WallTime> Scheduler::next_expiry() const {
  std::optional<WallTime> first;
  for (const auto& [part, out] : in_flight_) {
    if (!first || out.expires < *first) first = out.expires;
  }
  return first;
}

}  // namespace shoal
