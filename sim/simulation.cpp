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
constexpr uint16_t kFirstPeerPort = 40000;

// As `shoal swarm` places its viewers: each on its own loopback address.
std::string viewer_host(size_t i) {
  return "127.0." + std::to_string(1 + i / 250) + "." + std::to_string(1 + i % 250);
}

ChannelKey make_key(std::mt19937_64& rng) {
  std::array<uint8_t, 32> seed;
  for (uint8_t& b : seed) b = static_cast<uint8_t>(rng());
  return ChannelKey::from_seed(seed);
}

PeerOptions peer_options(const SimConfig& c, const ChannelKey& key, uint16_t port, size_t i,
                         std::mt19937_64& rng) {
  return PeerOptions{.channel = key.channel(),
                     .source = kSourceAt,
                     .self = PeerId(rng()),
                     .seed = 0,
                     .listen_port = port,
                     .lag = c.lag,
                     .upload = c.peer_upload[i],
                     .client_server = c.client_server};
}

}  // namespace

Result<SimResult> simulate(const SimConfig& c) {
  if (c.peer_upload.empty()) return Error{"a swarm needs at least one peer"};
  if (c.duration <= std::chrono::milliseconds(0) || c.chunk <= std::chrono::milliseconds(0) ||
      c.stream_kbps <= 0 || c.lag <= std::chrono::milliseconds(0)) {
    return Error{"duration, chunk, lag and stream rate must be positive"};
  }
  if (c.warmup.count() < 0 || c.join_spread.count() < 0 || c.latency.count() < 0) {
    return Error{"warmup, join spread and latency cannot be negative"};
  }
  std::mt19937_64 rng(c.seed);
  EventQueue events(kEpoch);
  SimNetwork network(events, c.latency);
  SimTracker tracker(events, c.latency, rng());
  const ChannelKey key = make_key(rng);

  const uint64_t stream_seed = rng();
  SourceOptions source_options{.self = PeerId(rng()),
                               .chunk = c.chunk,
                               .repair_share = c.repair_share,
                               .upload = c.source_upload};
  source_options.seed = rng();
  SimSource source(network, tracker, key, source_options, kSourceAt,
                   StreamShape{.chunk = c.chunk, .bytes_per_second = c.stream_kbps * 1000 / 8},
                   stream_seed);
  source.start();

  const size_t n = c.peer_upload.size();
  const SimTime gap = std::chrono::duration_cast<SimTime>(c.join_spread) / static_cast<int64_t>(n);
  std::vector<std::unique_ptr<SimPeer>> peers;
  SimTime last_exit{0};
  for (size_t i = 0; i < n; ++i) {
    const uint16_t port = c.client_server ? 0 : static_cast<uint16_t>(kFirstPeerPort + i);
    PeerOptions options = peer_options(c, key, port, i, rng);
    options.seed = rng();
    auto peer = std::make_unique<SimPeer>(network, tracker, options, Endpoint{viewer_host(i), port});
    SimPeer* p = peer.get();
    const SimTime join =
        std::chrono::duration_cast<SimTime>(c.warmup) + gap * static_cast<int64_t>(i);
    events.at(join, [p] { p->start(); });
    events.at(join + c.duration, [p] { p->stop(); });
    last_exit = std::max(last_exit, join + c.duration + SimPeer::kExitDelay);
    peers.push_back(std::move(peer));
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
