// The swarm simulation: its clock behaves as a real one, and whole swarms
// run on the real runners and engines in simulated time, the same way every
// time for a seed.
#include "sim/simulation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/event_queue.h"

namespace shoal::sim {
namespace {

using namespace std::chrono_literals;

const WallTime kEpoch{std::chrono::milliseconds(1'800'000'000'000)};

SimConfig swarm(size_t peers, UploadLimit upload, std::chrono::milliseconds duration) {
  SimConfig c;
  c.peer_upload.assign(peers, upload);
  c.duration = duration;
  return c;
}

const UploadLimit kNone{};
UploadLimit times(double multiple) { return {.stream_multiple = multiple}; }

struct Totals {
  uint64_t due = 0, on_time = 0, delivered = 0, from_peers = 0;
};

Totals totals(const SimResult& r) {
  Totals t;
  for (const PeerReport& p : r.peers) {
    t.due += p.chunks_due;
    t.on_time += p.chunks_on_time;
    t.delivered += p.traffic.from_source + p.traffic.from_peers();
    t.from_peers += p.traffic.from_peers();
  }
  return t;
}

double source_copies(const SimResult& r) {
  return static_cast<double>(r.source.bytes_uploaded) / static_cast<double>(r.source.copy_bytes);
}

// The stream's frame bytes per second, as the source measured it.
double stream_rate(const SimResult& r) {
  return static_cast<double>(r.source.copy_bytes) * 1000.0 /
         static_cast<double>(r.source.media_ms_published);
}

TEST(SimulationClock, EventsDueAtTheSameTimeRunInTheOrderScheduled) {
  EventQueue events(kEpoch);
  std::string order;
  events.at(2ms, [&] { order += 'c'; });
  events.at(1ms, [&] { order += 'a'; });
  events.at(1ms, [&] {
    order += 'b';
    events.after(0ms, [&] { order += 'B'; });  // behind what was already due then
  });
  events.at(2ms, [&] { order += 'd'; });
  events.run_until(5ms);
  EXPECT_EQ(order, "abBcd");
  EXPECT_EQ(events.wall_now(), kEpoch + 5ms);
}

TEST(SimulationClock, EnginesSeeWholeMillisecondsRoundedDown) {
  EventQueue events(kEpoch);
  EXPECT_EQ(events.to_wall(SimTime(2999)), kEpoch + 2ms);
  EXPECT_EQ(events.from_wall(kEpoch + 3ms), SimTime(3000));
}

TEST(Simulation, RejectsASwarmWithoutPeers) {
  const auto result = simulate(SimConfig{});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("peer"), std::string::npos);
}

TEST(Simulation, EightUncappedPeersPlayEverythingWhileTheSourceUploadsUnderThreeCopies) {
  const auto result = simulate(swarm(8, kNone, 20s));
  ASSERT_TRUE(result) << result.error();
  ASSERT_EQ(result->peers.size(), 8u);
  const Totals t = totals(*result);
  EXPECT_GT(t.due, 8u * 30);  // 20 s of 500 ms chunks each, less the startup
  EXPECT_GE(static_cast<double>(t.on_time) / static_cast<double>(t.due), 0.99);
  EXPECT_LT(source_copies(*result), 3.0);
  EXPECT_GT(t.from_peers, t.delivered / 2);
  for (const PeerReport& p : result->peers) {
    ASSERT_TRUE(p.startup_ms);
    EXPECT_LT(*p.startup_ms, 3000);
    EXPECT_EQ(p.chunks_rejected, 0u);
  }
}

TEST(Simulation, TheSameSeedGivesTheSameRunAndAnotherSeedAnother) {
  SimConfig config = swarm(8, times(1.5), 10s);
  config.source_upload = times(3);
  const auto first = simulate(config);
  const auto second = simulate(config);
  config.seed = 2;
  const auto other = simulate(config);
  ASSERT_TRUE(first && second && other);
  EXPECT_EQ(first->events, second->events);
  EXPECT_EQ(first->source.bytes_uploaded, second->source.bytes_uploaded);
  EXPECT_EQ(first->source.control_bytes_out, second->source.control_bytes_out);
  std::vector<nlohmann::json> a, b, c;
  for (const PeerReport& p : first->peers) a.push_back(p.to_json());
  for (const PeerReport& p : second->peers) b.push_back(p.to_json());
  for (const PeerReport& p : other->peers) c.push_back(p.to_json());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Simulation, CappedUplinksUploadNoMoreThanTheirLimit) {
  SimConfig config = swarm(12, times(1.5), 15s);
  config.source_upload = times(2);
  const auto result = simulate(config);
  ASSERT_TRUE(result) << result.error();
  const double rate = stream_rate(*result);
  // Counted when handed to the link: a few chunks may still wait in it.
  const double slack = 4 * static_cast<double>(result->source.copy_bytes) /
                       static_cast<double>(result->source.chunks_published);
  for (const PeerReport& p : result->peers) {
    EXPECT_LE(static_cast<double>(p.traffic.total.chunk_out), 1.5 * rate * 15 + slack);
  }
  const double seconds = std::chrono::duration<double>(result->simulated).count();
  EXPECT_LE(static_cast<double>(result->source.bytes_uploaded), 2 * rate * seconds + slack);
  EXPECT_GT(totals(*result).from_peers, 0u);
}

TEST(Simulation, AFreeRiderUploadsNothingButStillPlays) {
  SimConfig config = swarm(6, kNone, 10s);
  config.peer_upload[2] = UploadLimit{.bytes_per_second = 0.0};
  const auto result = simulate(config);
  ASSERT_TRUE(result) << result.error();
  const PeerReport& free_rider = result->peers[2];
  EXPECT_EQ(free_rider.traffic.total.chunk_out, 0u);
  EXPECT_GT(free_rider.chunks_on_time, 0u);
}

TEST(Simulation, ClientServerPeersFetchEverythingFromTheSource) {
  SimConfig config = swarm(5, kNone, 10s);
  config.client_server = true;
  config.repair_share.reset();  // the source is their only supplier
  const auto result = simulate(config);
  ASSERT_TRUE(result) << result.error();
  const Totals t = totals(*result);
  EXPECT_EQ(t.from_peers, 0u);
  EXPECT_EQ(t.on_time, t.due);
  EXPECT_GE(result->source.bytes_uploaded, t.delivered);
}

}  // namespace
}  // namespace shoal::sim
