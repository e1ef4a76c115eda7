#include "peer/offender_watch.h"

#include <algorithm>

namespace shoal {

std::optional<Offence> OffenderWatch::expired(ConnId conn, ChunkSeq seq, uint8_t stripes,
                                              WallTime sent, WallTime now) {
  stopped_waiting(conn, seq, stripes, now);
  Record& r = records_[conn];
  r.last_failure = now;
  if (r.answered || r.convicted) return std::nullopt;
  if (!r.expired_since) r.expired_since = now;
  if (!r.silent_since) r.silent_since = sent;
  r.pending.emplace_back(sent, now + config_.silence_grace);
  if (++r.expired < config_.unanswered) return std::nullopt;
  return r.sent_asked ? Offence::slow : Offence::liar;
}

std::vector<ConnId> OffenderWatch::judge(WallTime now) {
  std::vector<ConnId> liars;
  for (auto& [conn, r] : records_) {
    while (!r.pending.empty() && r.pending.front().second <= now) {
      if (r.last_word < r.pending.front().first) ++r.silent;
      r.pending.pop_front();
    }
    if (r.convicted || r.answered || r.silent < config_.silent_expiries) continue;
    r.convicted = true;
    liars.push_back(conn);
  }
  return liars;
}

bool OffenderWatch::closing(ConnId conn, WallTime now) {
  const auto it = records_.find(conn);
  if (it == records_.end()) return false;
  Record& r = it->second;
  if (r.convicted || r.answered) return false;
  int silent = r.silent;
  for (const auto& [sent, judged] : r.pending) {
    const WallTime expired = judged - config_.silence_grace;
    if (expired + config_.closing_grace <= now && r.last_word < sent) ++silent;
  }
  r.convicted = silent >= config_.silent_expiries;
  return r.convicted;
}

void OffenderWatch::sent_data(ConnId conn, WallTime now) {
  records_[conn].last_word = now;
}

void OffenderWatch::stopped_waiting(ConnId conn, ChunkSeq seq, uint8_t stripes, WallTime now) {
  Record& r = records_[conn];
  if (r.convicted) return;
  // Long enough for a trickle to show, and no more: a chunk's seq is not reused.
  std::erase_if(r.tails, [&](const auto& t) { return now - t.second.stopped > config_.slow_window; });
  r.tails.insert_or_assign(seq, Record::Tail{stripes, now});
}

std::optional<Offence> OffenderWatch::piece(ConnId conn, ChunkSeq seq, uint32_t stripe,
                                           size_t bytes, std::optional<double> stream_rate,
                                           uint64_t spare, WallTime now) {
  const auto r = records_.find(conn);
  if (r == records_.end() || r->second.convicted) return std::nullopt;
  const auto t = r->second.tails.find(seq);
  if (t == r->second.tails.end() || !(t->second.stripes & (1u << stripe))) return std::nullopt;
  Record::Tail& tail = t->second;
  // Its first late piece may have been on its way as the wait ran out, or
  // held up by a burst of pushes: the pace counts from it.
  if (tail.pieces++ == 0) tail.first = now;
  else tail.bytes += bytes;
  if (!stream_rate || static_cast<double>(spare) < *stream_rate) return std::nullopt;
  r->second.late_piece = now;
  if (tail.pieces < 2) return std::nullopt;
  const double seconds = std::chrono::duration<double>(now - tail.first).count();
  if (static_cast<double>(tail.bytes) >= *stream_rate / config_.slow_pace * seconds)
    return std::nullopt;
  auto& trickles = r->second.trickles;
  if (!tail.trickled) {
    tail.trickled = true;
    std::erase_if(trickles, [&](WallTime t) { return tail.stopped - t > config_.slow_window; });
    trickles.push_back(tail.stopped);
  }
  // Two late pieces may be an honest uplink caught by a burst of pushes; a
  // longer trickle, or a second within the window, is not.
  if (tail.pieces < config_.slow_tail && std::ssize(trickles) < config_.slow_trickles)
    return std::nullopt;
  r->second.convicted = true;
  r->second.slow_since = trickles.front();
  return Offence::slow;
}

bool OffenderWatch::suspect(ConnId conn, WallTime now) const {
  const auto r = records_.find(conn);
  if (r == records_.end() || r->second.convicted) return false;
  const Record& c = r->second;
  if (c.silent_since && !c.answered &&
      (c.last_word < *c.silent_since || (c.sent_asked && c.last_reject < *c.silent_since)))
    return true;
  return (!c.trickles.empty() && now - c.trickles.back() <= config_.slow_window) ||
         (c.late_piece && now - *c.late_piece <= config_.slow_window);
}

void OffenderWatch::answered(ConnId conn) { records_[conn].answered = true; }

std::optional<Offence> OffenderWatch::requested(ConnId conn, WallTime now) {
  Record& r = records_[conn];
  const auto second = std::chrono::floor<std::chrono::seconds>(now);
  if (second != r.second) {
    r.second = second;
    r.requests = 0;
  }
  if (++r.requests <= config_.max_requests_per_second) return std::nullopt;
  if (!r.flooding_since) r.flooding_since = now;
  return Offence::flood;
}

OffenderWatch::Host* OffenderWatch::host(const std::string& name) {
  if (const auto it = hosts_.find(name); it != hosts_.end()) return &it->second;
  if (hosts_.size() >= config_.max_hosts) return nullptr;
  return &hosts_[name];
}

bool OffenderWatch::unreachable(const Endpoint& to, WallTime now) {
  Host* h = host(to.host);
  if (!h) return false;
  if (!h->since) h->since = now;
  h->ports.insert(to.port);
  h->reached.erase(to.port);
  return h->ports.size() >= config_.unreachable_ports && h->ports.size() > h->reached.size();
}

void OffenderWatch::reached(const Endpoint& to) {
  Host* h = host(to.host);
  if (!h) return;
  h->ports.erase(to.port);
  h->reached.insert(to.port);
  if (h->ports.empty()) h->since.reset();
}

std::optional<WallTime> OffenderWatch::unreachable_since(const std::string& host) const {
  const auto h = hosts_.find(host);
  if (h == hosts_.end()) return std::nullopt;
  return h->second.since;
}

std::optional<WallTime> OffenderWatch::first_sign(ConnId conn, Offence offence) const {
  const auto r = records_.find(conn);
  if (r == records_.end()) return std::nullopt;
  switch (offence) {
    case Offence::liar:
      return r->second.expired_since;
    case Offence::slow:
      return r->second.slow_since ? r->second.slow_since : r->second.expired_since;
    case Offence::flood:
      return r->second.flooding_since;
    default:
      return std::nullopt;
  }
}

void OffenderWatch::forget(ConnId conn) { records_.erase(conn); }

}  // namespace shoal
