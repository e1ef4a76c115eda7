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
    case Offence::slow:
      return r->second.expired_since;
    case Offence::flood:
      return r->second.flooding_since;
    default:
      return std::nullopt;
  }
}

void OffenderWatch::forget(ConnId conn) { records_.erase(conn); }

}  // namespace shoal
