#pragma once
// TrackerRegistry: the tracker's memory, sans IO. Peers (and sources)
// announce (channel, peer id, address) and get back a random subset of the
// other live peers of that channel; an entry not re-announced within `ttl`
// expires. Bounded: at most `max_channels` channels and `max_peers_per_channel`
// entries each, so announces cannot grow it without limit.
//
// One host (the address's IP, as the server sees it) holds at most
// `max_per_host` entries of a channel, so one hostile viewer announcing many
// peer ids cannot fill the list with itself: a new peer id from a full host
// takes the place of that host's oldest entry (the least recently announced).
// Nobody is refused for it; a known peer id re-announcing only refreshes.

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "media/chunk.h"
#include "media/result.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"

namespace shoal {

struct TrackerConfig {
  std::chrono::milliseconds ttl{30'000};
  size_t max_reply = 50;  // at most kPeersAddresses are returned, whatever this says
  size_t max_channels = 10'000;
  size_t max_peers_per_channel = 10'000;
  // The source takes at most 8 connections per address: more viewers behind
  // one address could not watch anyway.
  size_t max_per_host = 8;
};

class TrackerRegistry {
 public:
  TrackerRegistry(TrackerConfig config, uint64_t seed) : config_(config), rng_(seed) {}

  // Records the announce and returns up to max_reply other live peers of the
  // channel, in random order; may evict the oldest entry of `address.host`
  // (above). An error when a limit is reached.
  Result<std::vector<Endpoint>> announce(const ChannelId& channel, PeerId peer,
                                         const Endpoint& address, WallTime now);
  // Forgets entries whose last announce is older than the ttl.
  void expire(WallTime now);

  size_t peers(const ChannelId& channel) const;
  size_t channels() const { return channels_.size(); }

 private:
  struct Entry {
    Endpoint address;
    WallTime last_seen;
  };
  using Peers = std::map<PeerId, Entry>;
  struct Channel {
    Peers peers;
    std::map<std::string, size_t> per_host;  // entries of each host, counted to skip a scan
  };

  // Drops the least recently announced entry of `host`.
  static void evict_oldest(Channel& channel, const std::string& host);
  // Erases `it` and its count; returns the next entry.
  static Peers::iterator forget(Channel& channel, Peers::iterator it);

  TrackerConfig config_;
  std::mt19937_64 rng_;
  std::map<ChannelId, Channel> channels_;
};

}  // namespace shoal
