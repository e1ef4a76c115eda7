#include "peer/offender_watch.h"

#include <algorithm>

namespace shoal {

std::optional<Offence> OffenderWatch::expired(ConnId conn, WallTime sent, WallTime now) {
  Record& r = records_[conn];
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

void OffenderWatch::sent_data(ConnId conn, WallTime now) {
  records_[conn].last_word = now;
}

std::optional<Offence> OffenderWatch::piece(ConnId conn, ChunkSeq seq, uint32_t index,
                                            std::chrono::microseconds plays, bool excused,
                                            WallTime now) {
  Record& r = records_[conn];
  // A piece of another chunk, or of a lower index, starts another request's.
  if (r.run_pieces > 0 && seq == r.run_seq && index > r.run_index) {
    ++r.run_pieces;
    r.run_plays += plays;
  } else {
    r.run_pieces = 1;
    r.run_start = now;
    r.run_plays = {};
    r.run_slow = false;
    r.run_owed = !excused;
  }
  r.run_seq = seq;
  r.run_index = index;
  const bool slow =
      r.run_pieces >= config_.slow_run && now - r.run_start > config_.slow_pace * r.run_plays;
  if (!slow || !r.run_owed || r.run_slow || r.convicted) return std::nullopt;
  r.run_slow = true;
  if (!r.slow_since) r.slow_since = r.run_start;
  std::erase_if(r.slow_runs, [&](WallTime t) { return now - t > config_.slow_window; });
  r.slow_runs.push_back(now);
  if (std::ssize(r.slow_runs) < config_.slow_runs) return std::nullopt;
  r.convicted = true;
  return Offence::slow;
}

bool OffenderWatch::suspect(ConnId conn, WallTime now) const {
  const auto r = records_.find(conn);
  if (r == records_.end() || r->second.convicted) return false;
  const Record& c = r->second;
  if (!c.slow_runs.empty() && now - c.slow_runs.back() <= config_.slow_window) return true;
  return c.silent_since && !c.answered && c.last_word < *c.silent_since;
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

bool OffenderWatch::unreachable(const Endpoint& to, WallTime now) {
  auto host = unreachable_.find(to.host);
  if (host == unreachable_.end()) {
    if (unreachable_.size() >= config_.max_hosts) return false;
    host = unreachable_.emplace(to.host, Host{{}, now}).first;
  }
  host->second.ports.insert(to.port);
  return host->second.ports.size() >= config_.unreachable_ports;
}

void OffenderWatch::reached(const Endpoint& to) {
  const auto host = unreachable_.find(to.host);
  if (host == unreachable_.end()) return;
  host->second.ports.erase(to.port);
  if (host->second.ports.empty()) unreachable_.erase(host);
}

std::optional<WallTime> OffenderWatch::unreachable_since(const std::string& host) const {
  const auto h = unreachable_.find(host);
  if (h == unreachable_.end()) return std::nullopt;
  return h->second.since;
}

std::optional<WallTime> OffenderWatch::first_sign(ConnId conn, Offence offence) const {
  const auto r = records_.find(conn);
  if (r == records_.end()) return std::nullopt;
  switch (offence) {
    case Offence::liar:
      return r->second.expired_since;
    case Offence::slow: {
      const auto& e = r->second.expired_since;
      const auto& g = r->second.slow_since;
      if (e && g) return std::min(*e, *g);
      return e ? e : g;
    }
    case Offence::flood:
      return r->second.flooding_since;
    default:
      return std::nullopt;
  }
}

void OffenderWatch::forget(ConnId conn) { records_.erase(conn); }

}  // namespace shoal
