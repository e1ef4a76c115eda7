#include "sim/sim_peer.h"

namespace shoal::sim {

SimPeer::SimPeer(SimNetwork& network, SimTracker& tracker, const PeerOptions& options, Endpoint at,
                 std::optional<double> download)
    : events_(network.events()),
      tracker_(tracker),
      options_(options),
      transport_(network, std::move(at), download),
      runner_(transport_, options, nullptr) {}

void SimPeer::start() {
  runner_.start();
  if (options_.client_server) return;
  tracker_.keep_announced(
      options_.channel, options_.self, transport_.address(), [this] { return !stopped_; },
      [this](std::vector<Endpoint> peers) { runner_.found_peers(peers); });
  if (options_.hostile != Offence::sybil) return;
  std::mt19937_64 rng(options_.seed);
  for (const Endpoint& fake : sybil_addresses(transport_.address().host, kSybilAnnounces, rng)) {
    tracker_.keep_announced(
        options_.channel, PeerId(rng()), fake, [this] { return !stopped_; },
        [](std::vector<Endpoint>) {});
  }
}

void SimPeer::stop() {
  if (stopped_) return;
  stopped_ = true;
  runner_.leave();
  events_.after(PeerRunner::kHandOver, [this] {
    runner_.stop();
    events_.after(kExitDelay, [this] { transport_.kill(); });
  });
}

void SimPeer::kill() {
  stopped_ = true;
  transport_.kill();
}

PeerReport SimPeer::report() const {
  PeerReport r = runner_.report();
  if (transport_.address().port != 0) r.listen = transport_.address().to_string();
  return r;
}

}  // namespace shoal::sim
