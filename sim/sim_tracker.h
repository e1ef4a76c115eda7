#pragma once
// SimTracker: the tracker of a simulated swarm, the real TrackerRegistry
// behind rounds timed as overlay/tracker_client.h makes them: connect (one
// latency), ANNOUNCE (recorded one latency later), PEERS back (one more);
// the next round `reannounce` after the reply, as long as the node keeps
// announcing. Sources announce too; a peer's engine skips the source's
// address itself (PeerEngine::on_peers_found).
//
// Lifetime: a node's rounds hold its `keep_going` and `on_peers`; they stop
// when keep_going() answers false.

#include <functional>
#include <string>
#include <vector>

#include "overlay/wire/endpoint.h"
#include "overlay/tracker/tracker_registry.h"
#include "sim/event_queue.h"
#include "sim/latency_model.h"

namespace shoal::sim {

class SimTracker {
 public:
  using PeersFn = std::function<void(std::vector<Endpoint>)>;

  // The tracker sits at `host` in the `latency` model.
  SimTracker(EventQueue& events, LatencyModel latency, std::string host, uint64_t seed)
      : events_(events), latency_(latency), host_(std::move(host)), registry_(TrackerConfig{}, seed) {}
  SimTracker(const SimTracker&) = delete;
  SimTracker& operator=(const SimTracker&) = delete;

  // Announces `self` at `address` now, then every `reannounce` while
  // keep_going(); each reply goes to on_peers.
  void keep_announced(const ChannelId& channel, PeerId self, const Endpoint& address,
                      std::function<bool()> keep_going, PeersFn on_peers);

  // As the real tracker's reply says: a third of the registry's ttl.
  static constexpr std::chrono::seconds kReannounce{10};

 private:
  struct Announcer {
    ChannelId channel;
    PeerId self;
    Endpoint address;
    std::function<bool()> keep_going;
    PeersFn on_peers;
  };
  void round(std::shared_ptr<const Announcer> a);

  EventQueue& events_;
  LatencyModel latency_;
  std::string host_;
  TrackerRegistry registry_;
};

}  // namespace shoal::sim
