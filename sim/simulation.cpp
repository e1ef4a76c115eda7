#include "sim/simulation.h"

#include <array>
#include <memory>
#include <random>
#include <string>

#include "media/chunk_signature.h"
#include "sim/sim_network.h"
#include "sim/sim_peer.h"
#include "sim/sim_source.h"
#include "sim/sim_tracker.h"

namespace shoal::sim {

namespace {

// What SimTime 0 stands for: any fixed date, so that runs repeat.
const WallTime kEpoch{std::chrono::milliseconds(1'800'000'000'000)};
const Endpoint kSourceAt{"127.0.0.1", 7000};
const char* const kTrackerHost = "127.0.0.2";
constexpr uint16_t kFirstPeerPort = 40000;

ChannelKey make_key(std::mt19937_64& rng) {
  std::array<uint8_t, 32> seed;
  for (uint8_t& b : seed) b = static_cast<uint8_t>(rng());
  return ChannelKey::from_seed(seed);
}

PeerOptions peer_options(const experiment::Plan& plan, const experiment::ViewerPlan& viewer,
                         const ChannelKey& key, uint16_t port, std::mt19937_64& rng) {
  PeerOptions options{.channel = key.channel(),
                      .source = kSourceAt,
                      .self = PeerId(rng()),
                      .listen_port = port,
                      .lag = std::chrono::milliseconds(plan.options.lag_ms),
                      .upload = viewer.upload,
                      .client_server = plan.client_server,
                      .hostile = viewer.hostile};
  options.seed = rng();
  return options;
}

}  // namespace

Result<SimResult> simulate(const experiment::Plan& plan,
                           const std::function<void(SimTime now, SimTime end)>& progress) {
  const experiment::ExperimentOptions& o = plan.options;
  std::mt19937_64 rng(o.seed);
  EventQueue events(kEpoch);
  const auto us = [](double ms) {
    return std::chrono::round<SimTime>(std::chrono::duration<double, std::milli>(ms));
  };
  const LatencyModel latency(us(plan.latency.min_ms), us(plan.latency.max_ms), o.seed);
  SimNetwork network(events, latency);
  SimTracker tracker(events, latency, kTrackerHost, rng());
  const ChannelKey key = make_key(rng);

  const uint64_t stream_seed = rng();
  const std::chrono::milliseconds chunk(o.chunk_ms);
  SourceOptions source_options{.self = PeerId(rng()),
                               .chunk = chunk,
                               .repair_share = plan.source.repair_share,
                               .upload = plan.source.upload};
  source_options.seed = rng();
  SimSource source(network, tracker, key, source_options, kSourceAt,
                   StreamShape{.chunk = chunk, .bytes_per_second = o.stream_kbps * 1000 / 8},
                   stream_seed);
  source.start();

  std::vector<std::unique_ptr<SimPeer>> peers;
  SimTime last_exit{0};
  for (const experiment::ViewerPlan& v : plan.viewers) {
    const uint16_t port = plan.client_server ? 0 : static_cast<uint16_t>(kFirstPeerPort + v.index);
    auto peer = std::make_unique<SimPeer>(network, tracker, peer_options(plan, v, key, port, rng),
                                          Endpoint{v.host, port},
                                          v.download.resolve(o.stream_kbps * 1000 / 8));
    SimPeer* p = peer.get();
    events.at(v.join, [p] { p->start(); });
    if (v.killed) {
      events.at(*plan.churn_at, [p] { p->kill(); });
    } else {
      events.at(v.join + v.watch, [p] { p->stop(); });
    }
    last_exit = std::max(last_exit, v.join + v.watch + PeerRunner::kHandOver + SimPeer::kExitDelay);
    peers.push_back(std::move(peer));
  }

  for (SimTime t = std::chrono::seconds(1); progress && t < last_exit; t += std::chrono::seconds(1)) {
    events.run_until(t);
    progress(t, last_exit);
  }
  events.run_until(last_exit);
  source.stop();
  SimResult result;
  result.source = source.stats();
  for (const auto& p : peers) result.peers.push_back(p->report());
  result.simulated = events.now();
  result.events = events.events_run();
  return result;
}

}  // namespace shoal::sim
