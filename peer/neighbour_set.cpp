#include "peer/neighbour_set.h"

#include <algorithm>

namespace shoal {

NeighbourSet::NeighbourSet(NeighbourConfig config)
    : config_(config), candidates_(config.candidates) {}

size_t NeighbourSet::peers() const {
  return std::ranges::count_if(map_, [](const auto& e) { return !e.second.is_source(); });
}

Neighbour* NeighbourSet::find(ConnId conn) {
  const auto it = map_.find(conn);
  return it == map_.end() ? nullptr : &it->second;
}

Neighbour* NeighbourSet::connected(ConnId conn, LinkKind kind, const Endpoint& remote,
                                   WallTime now, size_t room_for_children) {
  if (kind == LinkKind::dialled) dialling_.erase(remote.to_string());
  const size_t peers_now = peers();
  if (kind == LinkKind::accepted &&
      (config_.client_server || peers_now >= config_.max + room_for_children))
    return nullptr;
  Neighbour& n = map_[conn];
  n.for_tree = kind == LinkKind::accepted && peers_now >= config_.max;
  n.kind = kind;
  n.address = kind == LinkKind::accepted ? Endpoint{remote.host, 0} : remote;
  n.unchoked_us = n.is_source();
  n.connected_at = n.last_pex_sent = n.last_heard = now;
  return &n;
}

void NeighbourSet::dial_failed(const Endpoint& to, WallTime now) {
  dialling_.erase(to.to_string());
  candidates_.disconnected(to, true, now);
}

void NeighbourSet::learn(std::span<const Endpoint> peers, WallTime now) {
  if (config_.client_server) return;
  for (const Endpoint& p : peers) {
    if (!(p == config_.source)) candidates_.add(p, now);
  }
}

void NeighbourSet::learn(const PexMsg& pex, WallTime now) {
  if (config_.client_server) return;
  for (size_t i = 0; i < std::min(pex.addrs.size(), kPexAddresses); ++i) {
    auto address = Endpoint::parse(pex.addrs[i]);
    if (address && !(*address == config_.source)) candidates_.add(*address, now);
  }
}

std::optional<NeighbourSet::Drop> NeighbourSet::hello(ConnId conn, const Hello& m) {
  Neighbour& n = map_.at(conn);
  if (banned_.contains(m.peer_id)) return Drop{conn, "it misbehaved before", true};
  if (m.peer_id == config_.self) {
    if (n.address.port != 0) candidates_.ban(n.address);
    return Drop{conn, "connected to itself"};
  }
  if (n.kind == LinkKind::accepted && m.listen_port != 0) n.address.port = m.listen_port;
  n.id = m.peer_id;
  // Two peers that dialled each other at once keep the link dialled by the
  // smaller id, both reaching the same verdict.
  const auto dialler = [&](const Neighbour& x) {
    return x.kind == LinkKind::dialled ? config_.self : x.id;
  };
  for (const auto& [other_conn, other] : map_) {
    if (other_conn == conn || !other.greeted || other.id != m.peer_id) continue;
    const bool keep_new = dialler(n) < dialler(other);
    const Endpoint& kept = keep_new ? n.address : other.address;
    const Endpoint& dropped = keep_new ? other.address : n.address;
    if (kept.port != 0 && dropped.port != 0) candidates_.alias(dropped, kept);
    return Drop{keep_new ? other_conn : conn, "duplicate connection"};
  }
  return std::nullopt;
}

void NeighbourSet::welcome(ConnId conn) {
  Neighbour& n = map_.at(conn);
  n.greeted = true;
  if (!n.is_source() && n.address.port != 0) candidates_.connected(n.address);
}

bool NeighbourSet::drop(ConnId conn, bool ban, WallTime now) {
  const auto it = map_.find(conn);
  if (it == map_.end()) return false;
  const Endpoint address = it->second.address;
  const bool peer = !it->second.is_source() && address.port != 0;
  map_.erase(it);
  const bool still_linked = std::ranges::any_of(
      map_, [&](const auto& e) { return e.second.greeted && e.second.address == address; });
  if (peer && ban) candidates_.ban(address);
  if (peer && !ban && !still_linked) candidates_.disconnected(address, false, now);
  return true;
}

bool NeighbourSet::lost(ConnId conn, WallTime now) {
  const auto it = map_.find(conn);
  if (it == map_.end()) return false;
  if (!it->second.is_source() && it->second.address.port != 0)
    candidates_.disconnected(it->second.address, false, now);
  map_.erase(it);
  return true;
}

std::vector<Endpoint> NeighbourSet::dial_now(const PexMsg& pex, WallTime now) {
  std::vector<Endpoint> out;
  if (config_.client_server) return out;
  for (size_t i = 0; i < std::min(pex.addrs.size(), kPexAddresses); ++i) {
    const auto address = Endpoint::parse(pex.addrs[i]);
    if (!address || *address == config_.source || dialling_.contains(address->to_string())) continue;
    if (peers() + dialling_.size() >= config_.max) break;
    const bool linked = candidates_.linked(*address) || std::ranges::any_of(map_, [&](const auto& e) {
      return e.second.address == *address;
    });
    if (linked) continue;
    candidates_.add(*address, now);
    dialling_.insert(address->to_string());
    out.push_back(*address);
  }
  return out;
}

std::vector<Endpoint> NeighbourSet::to_dial(WallTime now, std::mt19937_64& rng, size_t extra) {
  if (config_.client_server) return {};
  const size_t have = peers() + dialling_.size();
  const size_t target = std::min(config_.target + extra, config_.max);
  if (have >= target) return {};
  std::vector<Endpoint> picked = candidates_.pick(target - have, now, rng);
  for (const Endpoint& to : picked) dialling_.insert(to.to_string());
  return picked;
}

std::optional<ConnId> NeighbourSet::to_replace(WallTime now) {
  if (config_.client_server || now - last_replace_ < config_.replace_after) return std::nullopt;
  last_replace_ = now;
  for (auto& [conn, n] : map_) {
    if (n.is_source() || now - n.connected_at < config_.replace_after ||
        n.received.rate(now) > 0 || n.sent.rate(now) > 0 || candidates_.size() <= peers())
      continue;
    return conn;
  }
  return std::nullopt;
}

PexMsg NeighbourSet::pex_for(ConnId to, std::mt19937_64& rng) const {
  PexMsg pex;
  for (const auto& [conn, other] : map_) {
    if (conn == to || !other.greeted || other.is_source() || other.address.port == 0) continue;
    pex.addrs.push_back(other.address.to_string());
  }
  std::ranges::shuffle(pex.addrs, rng);
  if (pex.addrs.size() > kPexAddresses) pex.addrs.resize(kPexAddresses);
  return pex;
}

PexMsg NeighbourSet::everyone() const {
  PexMsg pex;
  for (const auto& [conn, n] : map_) {
    if (n.greeted && n.address.port != 0 && pex.addrs.size() < kPexAddresses)
      pex.addrs.push_back(n.address.to_string());
  }
  return pex;
}

}  // namespace shoal
