#include "peer/scheduler.h"

#include <algorithm>
#include <unordered_map>

namespace shoal {

std::vector<ChunkRequest> Scheduler::plan(WallTime now, ChunkSeq from, ChunkSeq to,
                                          const ChunkStore& store,
                                          std::span<const Candidate> neighbours) {
  std::unordered_map<ConnId, int> load;
  for (const auto& [seq, out] : in_flight_) ++load[out.conn];

  std::vector<ChunkRequest> requests;
  for (ChunkSeq seq = from; seq <= to; seq = seq.next()) {
    if (store.has(seq) || in_flight_.contains(seq)) continue;
    const Candidate* best = nullptr;
    for (const Candidate& n : neighbours) {
      if (!n.map->has(seq) || load[n.conn] >= config_.max_in_flight) continue;
      // A peer beats the source; among equals, the least loaded wins.
      if (!best ||
          std::pair(n.is_source, load[n.conn]) < std::pair(best->is_source, load[best->conn])) {
        best = &n;
      }
    }
    if (!best) continue;
    ++load[best->conn];
    in_flight_[seq] = Outstanding{best->conn, now};
    requests.push_back({best->conn, seq});
  }
  return requests;
}

std::optional<ConnId> Scheduler::received(ChunkSeq seq) {
  const auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return std::nullopt;
  const ConnId conn = it->second.conn;
  in_flight_.erase(it);
  return conn;
}

std::vector<ChunkRequest> Scheduler::expire(WallTime now) {
  std::vector<ChunkRequest> expired;
  std::erase_if(in_flight_, [&](const auto& entry) {
    if (now - entry.second.sent < config_.request_timeout) return false;
    expired.push_back({entry.second.conn, entry.first});
    return true;
  });
  return expired;
}

void Scheduler::forget(ConnId conn) {
  std::erase_if(in_flight_, [&](const auto& entry) { return entry.second.conn == conn; });
}

std::optional<WallTime> Scheduler::next_expiry() const {
  std::optional<WallTime> first;
  for (const auto& [seq, out] : in_flight_) {
    const WallTime t = out.sent + config_.request_timeout;
    if (!first || t < *first) first = t;
  }
  return first;
}

}  // namespace shoal
