#include "sim/sim_tracker.h"

namespace shoal::sim {

void SimTracker::keep_announced(const ChannelId& channel, PeerId self, const Endpoint& address,
                                std::function<bool()> keep_going, PeersFn on_peers) {
  round(std::make_shared<const Announcer>(
      Announcer{channel, self, address, std::move(keep_going), std::move(on_peers)}));
}

void SimTracker::round(std::shared_ptr<const Announcer> a) {
  if (!a->keep_going()) return;
  // Connected after one latency, the ANNOUNCE arrives one later.
  const SimTime latency = latency_.between(a->address.host, host_);
  events_.after(2 * latency, [this, a, latency] {
    auto peers = registry_.announce(a->channel, a->self, a->address, events_.wall_now());
    std::vector<Endpoint> found = peers ? std::move(*peers) : std::vector<Endpoint>{};
    events_.after(latency, [this, a, found = std::move(found)] {
      if (!a->keep_going()) return;
      events_.after(kReannounce, [this, a] { round(a); });
      a->on_peers(found);
    });
  });
}

}  // namespace shoal::sim
