#include "overlay/dht/value_store.h"

#include <algorithm>

#include "overlay/wire/endpoint.h"

namespace shoal {

ValueStore::ValueStore(const ChordConfig& config)
    : ring_(config.ring),
      self_(config.self),
      max_keys_(config.max_keys),
      max_values_per_key_(config.max_values_per_key),
      max_values_per_host_(config.max_values_per_host) {}

void ValueStore::store(const DhtEntry& e, DhtTime now) {
  if (store_.size() >= max_keys_ && !store_.contains(e.key)) return;
  auto& values = store_[e.key];
  const auto expires = now + std::chrono::seconds(e.ttl_s);
  if (const auto it = values.find(e.value); it != values.end()) {
    it->second.expires = std::max(it->second.expires, expires);
    it->second.stored = now;
    return;
  }
  auto contact = Endpoint::parse(e.value);
  std::string host = contact ? std::move(contact->host) : std::string();
  // Before the limit per key: a full host's newcomer then takes a place of its own host's.
  if (!host.empty()) evict_oldest_of(values, host);
  if (values.size() >= max_values_per_key_) return;
  values[e.value] = Stored{expires, now, std::move(host)};
}

void ValueStore::evict_oldest_of(Values& values, const std::string& host) {
  size_t count = 0;
  auto oldest = values.end();
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (it->second.host != host) continue;
    ++count;
    if (oldest == values.end() || it->second.stored < oldest->second.stored) oldest = it;
  }
  if (count >= max_values_per_host_ && oldest != values.end()) values.erase(oldest);
}

std::vector<std::string> ValueStore::values(const DhtId& key, DhtTime now) const {
  std::vector<std::pair<DhtTime, std::string>> live;
  if (const auto it = store_.find(key); it != store_.end()) {
    for (const auto& [value, stored] : it->second) {
      if (stored.expires > now) live.push_back({stored.expires, value});
    }
  }
  // The freshest first: they are the likeliest to be still there.
  std::ranges::sort(live, std::greater{});
  std::vector<std::string> out;
  // An answer must fit one datagram, whatever the values' sizes.
  size_t bytes = 0;
  for (size_t i = 0; i < live.size() && i < kMaxValues; ++i) {
    bytes += live[i].second.size() + 3;
    if (bytes > kMaxDatagram / 2) break;
    out.push_back(live[i].second);
  }
  return out;
}

std::vector<DhtEntry> ValueStore::entries_in(const DhtId& from, const DhtId& to,
                                             DhtTime now) const {
  std::vector<DhtEntry> out;
  for (const auto& [key, values] : store_) {
    if (!ring_.in_half_open(key, from, to)) continue;
    for (const auto& [value, stored] : values) {
      if (stored.expires <= now) continue;
      const auto left = std::chrono::ceil<std::chrono::seconds>(stored.expires - now).count();
      out.push_back({key, value, static_cast<uint32_t>(left)});
    }
  }
  return out;
}

void ValueStore::expire(DhtTime now) {
  for (auto it = store_.begin(); it != store_.end();) {
    std::erase_if(it->second, [&](const auto& e) { return e.second.expires <= now; });
    it = it->second.empty() ? store_.erase(it) : std::next(it);
  }
}

// --- moves between nodes ---

StoredMsg ValueStore::on_store(const StoreMsg& m, std::span<const DhtNode> successors,
                               RequestLayer& rpc, DhtTime now) {
  const auto kind = static_cast<StoreKind>(m.kind);
  if (kind == StoreKind::put) {
    accept_put(m.entries, successors, rpc, now);
  } else {
    for (const DhtEntry& e : m.entries) store(e, now);
  }
  if (kind == StoreKind::handoff) keys_taken_over_ += m.entries.size();
  return StoredMsg{static_cast<uint32_t>(m.entries.size())};
}

void ValueStore::accept_put(const std::vector<DhtEntry>& entries,
                            std::span<const DhtNode> successors, RequestLayer& rpc, DhtTime now) {
  for (const DhtEntry& e : entries) store(e, now);
  for (const DhtNode& s : successors) {
    if (s != self_) send_entries(s.address, entries, StoreKind::replica, rpc, now);
  }
}

void ValueStore::replicate(const DhtId& from, std::span<const DhtNode> successors,
                           RequestLayer& rpc, DhtTime now) {
  const auto owned = entries_in(from, self_.id, now);
  if (owned.empty()) return;
  for (const DhtNode& s : successors) send_entries(s.address, owned, StoreKind::replica, rpc, now);
}

void ValueStore::hand_off(const DhtId& from, const DhtId& to, const std::string& address,
                          RequestLayer& rpc, DhtTime now) {
  const auto moving = entries_in(from, to, now);
  keys_handed_off_ += moving.size();
  send_entries(address, moving, StoreKind::handoff, rpc, now);
}

void ValueStore::send_entries(const std::string& to, const std::vector<DhtEntry>& entries,
                              StoreKind kind, RequestLayer& rpc, DhtTime now) {
  for (size_t i = 0; i < entries.size(); i += kMaxStoreEntries) {
    const auto end =
        entries.begin() + static_cast<long>(std::min(entries.size(), i + kMaxStoreEntries));
    rpc.request(to,
                StoreMsg{{entries.begin() + static_cast<long>(i), end}, static_cast<uint8_t>(kind)},
                now);
  }
}

}  // namespace shoal
