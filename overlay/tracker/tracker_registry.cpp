#include "overlay/tracker/tracker_registry.h"

#include <algorithm>

#include "overlay/wire/messages.h"

namespace shoal {

Result<std::vector<Endpoint>> TrackerRegistry::announce(const ChannelId& channel, PeerId peer,
                                                        const Endpoint& address, WallTime now) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) {
    if (channels_.size() >= config_.max_channels)
      return Error{"tracker is full: too many channels"};
    it = channels_.emplace(channel, Channel{}).first;
  }
  Channel& ch = it->second;
  auto known = ch.peers.find(peer);
  const bool joins_host = known == ch.peers.end() || known->second.address.host != address.host;
  if (joins_host) {
    // Evicting first: a full host's newcomer then never finds the channel full.
    const auto count = ch.per_host.find(address.host);
    if (count != ch.per_host.end() && count->second >= config_.max_per_host)
      evict_oldest(ch, address.host);
    if (known == ch.peers.end() && ch.peers.size() >= config_.max_peers_per_channel)
      return Error{"tracker is full: too many peers on this channel"};
    if (known != ch.peers.end()) forget(ch, known);
    ++ch.per_host[address.host];
  }

  std::vector<Endpoint> others;
  for (const auto& [id, entry] : ch.peers) {
    if (id != peer && now - entry.last_seen < config_.ttl) others.push_back(entry.address);
  }
  ch.peers[peer] = Entry{address, now};
  std::shuffle(others.begin(), others.end(), rng_);
  const size_t reply = std::min(config_.max_reply, kPeersAddresses);  // what a PEERS may hold
  if (others.size() > reply) others.resize(reply);
  return others;
}

void TrackerRegistry::expire(WallTime now) {
  for (auto it = channels_.begin(); it != channels_.end();) {
    Channel& ch = it->second;
    for (auto e = ch.peers.begin(); e != ch.peers.end();)
      e = now - e->second.last_seen >= config_.ttl ? forget(ch, e) : std::next(e);
    it = ch.peers.empty() ? channels_.erase(it) : std::next(it);
  }
}

size_t TrackerRegistry::peers(const ChannelId& channel) const {
  const auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.peers.size();
}

void TrackerRegistry::evict_oldest(Channel& channel, const std::string& host) {
  auto oldest = channel.peers.end();
  for (auto e = channel.peers.begin(); e != channel.peers.end(); ++e) {
    if (e->second.address.host == host &&
        (oldest == channel.peers.end() || e->second.last_seen < oldest->second.last_seen))
      oldest = e;
  }
  if (oldest != channel.peers.end()) forget(channel, oldest);
}

TrackerRegistry::Peers::iterator TrackerRegistry::forget(Channel& channel, Peers::iterator it) {
  const auto count = channel.per_host.find(it->second.address.host);
  if (--count->second == 0) channel.per_host.erase(count);
  return channel.peers.erase(it);
}

}  // namespace shoal
