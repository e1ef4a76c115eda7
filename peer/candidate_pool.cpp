#include "peer/candidate_pool.h"

#include <algorithm>

namespace shoal {

void CandidatePool::add(const Endpoint& address, WallTime now) {
  const std::string key = address.to_string();
  if (address.port == 0 || banned_.contains(key)) return;
  if (const auto it = entries_.find(key); it != entries_.end()) {
    it->second.heard = now;
    return;
  }
  if (entries_.size() >= config_.capacity) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (!it->second.connected && (oldest == entries_.end() || it->second.heard < oldest->second.heard))
        oldest = it;
    }
    if (oldest == entries_.end()) return;
    entries_.erase(oldest);
  }
  entries_[key] = Entry{.heard = now, .retry_at = now};
}

std::vector<Endpoint> CandidatePool::pick(size_t n, WallTime now, std::mt19937_64& rng) {
  std::vector<std::string> ready;
  for (const auto& [key, e] : entries_) {
    if (!linked(e) && e.retry_at <= now) ready.push_back(key);
  }
  std::ranges::shuffle(ready, rng);
  ready.resize(std::min(n, ready.size()));
  std::vector<Endpoint> out;
  for (const std::string& key : ready) {
    Entry& e = entries_[key];
    e.connected = true;  // until the dial resolves
    out.push_back(*Endpoint::parse(key));
  }
  return out;
}

void CandidatePool::connected(const Endpoint& address) {
  const std::string key = address.to_string();
  if (banned_.contains(key)) return;
  Entry& e = entries_[key];
  e.connected = true;
  e.failures = 0;
}

void CandidatePool::disconnected(const Endpoint& address, bool failed, WallTime now) {
  const auto it = entries_.find(address.to_string());
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.connected = false;
  if (!failed) {
    e.retry_at = now + config_.retry;
    return;
  }
  if (++e.failures >= config_.max_failures) {
    entries_.erase(it);
    return;
  }
  e.retry_at = now + config_.retry * (1 << (e.failures - 1));
}

bool CandidatePool::linked(const Entry& e) const {
  if (e.connected) return true;
  const auto other = entries_.find(e.alias_of);
  return other != entries_.end() && other->second.connected;
}

bool CandidatePool::linked(const Endpoint& address) const {
  const auto it = entries_.find(address.to_string());
  return it != entries_.end() && linked(it->second);
}

void CandidatePool::alias(const Endpoint& address, const Endpoint& linked) {
  const auto it = entries_.find(address.to_string());
  if (it != entries_.end() && !(address == linked)) it->second.alias_of = linked.to_string();
}

void CandidatePool::ban(const Endpoint& address) {
  const std::string key = address.to_string();
  entries_.erase(key);
  banned_.insert(key);
}

}  // namespace shoal
