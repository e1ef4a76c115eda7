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
    it = channels_.emplace(channel, std::map<PeerId, Entry>{}).first;
  }
  auto& peers = it->second;
  if (!peers.contains(peer) && peers.size() >= config_.max_peers_per_channel) {
    return Error{"tracker is full: too many peers on this channel"};
  }

  std::vector<Endpoint> others;
  for (const auto& [id, entry] : peers) {
    if (id != peer && now - entry.last_seen < config_.ttl) others.push_back(entry.address);
  }
  peers[peer] = Entry{address, now};
  std::shuffle(others.begin(), others.end(), rng_);
  const size_t reply = std::min(config_.max_reply, kPeersAddresses);  // what a PEERS may hold
  if (others.size() > reply) others.resize(reply);
  return others;
}

void TrackerRegistry::expire(WallTime now) {
  for (auto it = channels_.begin(); it != channels_.end();) {
    std::erase_if(it->second,
                  [&](const auto& e) { return now - e.second.last_seen >= config_.ttl; });
    it = it->second.empty() ? channels_.erase(it) : std::next(it);
  }
}

size_t TrackerRegistry::peers(const ChannelId& channel) const {
  const auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace shoal
