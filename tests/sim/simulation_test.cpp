// The swarm simulation: its clock behaves as a real one, and whole swarms
// run their plans on the real runners and engines in simulated time, the
// same way every time for a seed.
#include "sim/simulation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/sim_peer.h"

namespace shoal::sim {
namespace {

using namespace std::chrono_literals;

const WallTime kEpoch{std::chrono::milliseconds(1'800'000'000'000)};

// `peers` viewers watching `duration` seconds, each with upload limit `upload`.
experiment::ExperimentOptions swarm(int peers, const std::string& upload, double duration) {
  return {.peers = peers, .duration = duration, .peer_upload = upload};
}

experiment::Plan plan(const experiment::ExperimentOptions& o) {
  EXPECT_TRUE(experiment::validate(o, 1000));
  return experiment::make_plan(o);
}

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
}

TEST(Simulation, KilledViewersStopAtTheChurnAndTheirReplacementsAndSurvivorsPlayOn) {
  experiment::ExperimentOptions o = swarm(8, "1.5x", 12);
  o.source_upload = "4x";
  o.churn = 0.25;
  const experiment::Plan p = plan(o);
  const auto result = simulate(p);
  ASSERT_TRUE(result) << result.error();
  ASSERT_EQ(result->peers.size(), 10u);  // 8, then 2 joiners in the killed ones' place
  const auto churn_at = std::chrono::duration_cast<std::chrono::milliseconds>(*p.churn_at);
  const auto until_churn = churn_at - std::chrono::duration_cast<std::chrono::milliseconds>(
                                          p.viewers[0].join);
  uint64_t due = 0, on_time = 0;
  for (const experiment::ViewerPlan& v : p.viewers) {
    const PeerReport& r = result->peers[v.index];
    const double continuity =
        static_cast<double>(r.chunks_on_time) / static_cast<double>(r.chunks_due);
    if (v.killed) {
      // Nothing played after the kill: at most the chunks due until then.
      EXPECT_LE(r.chunks_due, static_cast<uint64_t>(until_churn / 500ms)) << v.index;
    } else {
      // Two chunks of a short run may go as the others leave at its end.
      EXPECT_GE(continuity, 0.9) << v.index;
      due += r.chunks_due;
      on_time += r.chunks_on_time;
    }
  }
  EXPECT_GE(static_cast<double>(on_time) / static_cast<double>(due), 0.95);
}

TEST(Simulation, LinksTakeTheirLatencyFromTheRangeSoChunksArriveLater) {
  experiment::ExperimentOptions near = swarm(8, "none", 10), far = near;
  far.latency_ms = "100-200";
  const auto a = simulate(plan(near)), b = simulate(plan(far));
  ASSERT_TRUE(a && b);
  const auto mean_arrival_ms = [](const SimResult& r) {
    double sum = 0, n = 0;
    for (const PeerReport& p : r.peers) {
      for (const int64_t ms : p.arrival_ms) sum += static_cast<double>(ms), ++n;
    }
    return sum / n;
  };
  // Every chunk crosses at least one link of 100 ms or more.
  EXPECT_GT(mean_arrival_ms(*b), mean_arrival_ms(*a) + 100);
  EXPECT_GE(static_cast<double>(totals(*b).on_time) / static_cast<double>(totals(*b).due), 0.95);
}

TEST(Simulation, EightUncappedPeersPlayEverythingWhileTheSourceUploadsUnderThreeCopies) {
  const auto result = simulate(plan(swarm(8, "none", 20)));
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
  experiment::ExperimentOptions o = swarm(8, "1.5x", 10);
  o.source_upload = "3x";
  const auto first = simulate(plan(o));
  const auto second = simulate(plan(o));
  o.seed = 2;
  const auto other = simulate(plan(o));
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
  experiment::ExperimentOptions o = swarm(12, "1.5x", 15);
  o.source_upload = "2x";
  const auto result = simulate(plan(o));
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

TEST(Simulation, AFreeRiderOfThePlanUploadsNothingButStillPlays) {
  experiment::ExperimentOptions o = swarm(6, "none", 10);
  o.free_riders = 1;
  const experiment::Plan p = plan(o);
  const auto result = simulate(p);
  ASSERT_TRUE(result) << result.error();
  const auto planned = std::ranges::find_if(p.viewers, &experiment::ViewerPlan::free_rider);
  ASSERT_NE(planned, p.viewers.end());
  const PeerReport& free_rider = result->peers[planned->index];
  EXPECT_EQ(free_rider.traffic.total.chunk_out, 0u);
  EXPECT_GT(free_rider.chunks_on_time, 0u);
}

TEST(Simulation, ViewersJoinAndLeaveAtTheirPlannedTimes) {
  experiment::ExperimentOptions o = swarm(4, "none", 5);
  o.warmup = 2;
  o.join_spread = 4;
  const auto result = simulate(plan(o));
  ASSERT_TRUE(result) << result.error();
  // The last viewer joins at 2 s + 3 s, watches 5 s, hands its children
  // over and exits after its BYEs.
  EXPECT_EQ(result->simulated, 10s + PeerRunner::kHandOver + SimPeer::kExitDelay);
  ASSERT_EQ(result->peers.size(), 4u);
  for (const PeerReport& p : result->peers) ASSERT_TRUE(p.startup_ms);
}

TEST(Simulation, ClientServerPeersFetchEverythingFromTheSource) {
  experiment::ExperimentOptions o = swarm(5, "none", 10);
  o.mode = "client-server";  // and so no repair share: the source is their only supplier
  const auto result = simulate(plan(o));
  ASSERT_TRUE(result) << result.error();
  const Totals t = totals(*result);
  EXPECT_EQ(t.from_peers, 0u);
  EXPECT_EQ(t.on_time, t.due);
  EXPECT_GE(result->source.bytes_uploaded, t.delivered);
}

}  // namespace
}  // namespace shoal::sim
