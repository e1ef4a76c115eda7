// The plan: one experiment for `shoal swarm` and `shoal simulate`. The same
// viewers free-ride in both (and the same as before the plan existed), the
// viewers join evenly after the warmup, each from its own loopback host,
// the decoders are spread over the join order, and the churn kills
// contributors only, whose places and upload limits joiners take.
#include "experiment/plan.h"

#include <gtest/gtest.h>

#include <set>

namespace shoal::experiment {
namespace {

using namespace std::chrono_literals;

ExperimentOptions peers(int n) {
  ExperimentOptions o;
  o.peers = n;
  return o;
}

std::set<size_t> indices_where(const Plan& plan, bool (*pick)(const ViewerPlan&)) {
  std::set<size_t> out;
  for (const ViewerPlan& v : plan.viewers) {
    if (pick(v)) out.insert(v.index);
  }
  return out;
}

std::set<size_t> free_riders(const Plan& plan) {
  return indices_where(plan, [](const ViewerPlan& v) { return v.free_rider; });
}

std::vector<std::string> labels(const Plan& plan) {
  std::vector<std::string> out;
  for (const ViewerPlan& v : plan.viewers) out.push_back(v.upload_label);
  return out;
}

TEST(Plan, FreeRidersAreTheViewersSwarmAndSimulateChoseBeforeThePlan) {
  ExperimentOptions o = peers(16);
  o.free_riders = 4;
  o.peer_upload = "1.5x";
  const Plan plan = make_plan(o);
  // What the shuffle in tools/swarm_command.cpp and tools/simulate_command.cpp
  // chose at fc4da5b: std::mt19937_64(7) over the 16 indices, the first 4.
  EXPECT_EQ(free_riders(plan), (std::set<size_t>{5, 8, 9, 10}));
  for (const ViewerPlan& v : plan.viewers) {
    EXPECT_EQ(v.upload_label, v.free_rider ? "0" : "1.5x") << v.index;
    EXPECT_EQ(v.upload.bytes_per_second, v.free_rider ? std::optional(0.0) : std::nullopt);
  }
}

TEST(Plan, FreeRidersDependOnlyOnTheirCountNotOnWhatRunsThem) {
  ExperimentOptions swarm = peers(50);
  swarm.free_riders = 10;
  swarm.input = "talk.mp4";
  swarm.decoders = 8;
  ExperimentOptions simulate = peers(50);
  simulate.free_riders = 10;
  simulate.seed = 99;
  simulate.latency_ms = "20";
  EXPECT_EQ(free_riders(make_plan(swarm)), free_riders(make_plan(simulate)));
  EXPECT_EQ(free_riders(make_plan(swarm)),
            (std::set<size_t>{3, 10, 11, 16, 26, 30, 37, 46, 48, 49}));
}

TEST(Plan, ViewersJoinEvenlyOverTheSpreadAfterTheWarmupAndWatchTheDuration) {
  ExperimentOptions o = peers(4);
  o.warmup = 4;
  o.join_spread = 2;
  o.duration = 30;
  const Plan plan = make_plan(o);
  ASSERT_EQ(plan.viewers.size(), 4u);
  EXPECT_EQ(plan.viewers[0].join, 4000ms);
  EXPECT_EQ(plan.viewers[1].join, 4500ms);
  EXPECT_EQ(plan.viewers[2].join, 5000ms);
  EXPECT_EQ(plan.viewers[3].join, 5500ms);
  for (const ViewerPlan& v : plan.viewers) EXPECT_EQ(v.watch, 30s);
  EXPECT_FALSE(plan.churn_at);
}

TEST(Plan, TheJoinGapIsKeptToTheMicrosecond) {
  ExperimentOptions o = peers(3);
  o.warmup = 0;
  o.join_spread = 1;
  const Plan plan = make_plan(o);
  EXPECT_EQ(plan.viewers[1].join, 333'333us);
  EXPECT_EQ(plan.viewers[2].join, 666'666us);
}

TEST(Plan, EachViewerHasItsOwnLoopbackHostAndTheThirdByteRollsOverAfter250) {
  EXPECT_EQ(viewer_host(0), "127.0.1.1");
  EXPECT_EQ(viewer_host(1), "127.0.1.2");
  EXPECT_EQ(viewer_host(249), "127.0.1.250");
  EXPECT_EQ(viewer_host(250), "127.0.2.1");
  EXPECT_EQ(viewer_host(499), "127.0.2.250");
  EXPECT_EQ(viewer_host(500), "127.0.3.1");
  const Plan plan = make_plan(peers(300));
  for (const ViewerPlan& v : plan.viewers) EXPECT_EQ(v.host, viewer_host(v.index));
  std::set<std::string> hosts;
  for (const ViewerPlan& v : plan.viewers) hosts.insert(v.host);
  EXPECT_EQ(hosts.size(), 300u);
}

TEST(Plan, DecodersAreSpreadEvenlyOverTheJoinOrder) {
  const auto decoders = [](int peers_, int decoders_) {
    ExperimentOptions o = peers(peers_);
    o.decoders = decoders_;
    return indices_where(make_plan(o), [](const ViewerPlan& v) { return v.decodes; });
  };
  EXPECT_EQ(decoders(10, 3), (std::set<size_t>{0, 4, 8}));
  EXPECT_EQ(decoders(50, 8), (std::set<size_t>{0, 7, 14, 21, 28, 35, 42, 49}));
  EXPECT_EQ(decoders(4, 8), (std::set<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(decoders(4, 0), std::set<size_t>{});
}

TEST(Plan, ARangeOfUploadLimitsIsSpreadEvenlyOverTheJoinOrder) {
  ExperimentOptions o = peers(6);
  o.peer_upload = "0.5x-3x";
  const Plan plan = make_plan(o);
  EXPECT_EQ(labels(plan), (std::vector<std::string>{"0.5x", "1x", "1.5x", "2x", "2.5x", "3x"}));
  EXPECT_EQ(plan.viewers[5].upload.stream_multiple, 3.0);
  EXPECT_FALSE(plan.viewers[5].upload.bytes_per_second);

  o.peers = 1;  // the middle of the range
  EXPECT_EQ(labels(make_plan(o)), (std::vector<std::string>{"1.75x"}));
}

TEST(Plan, ChurnKillsContributorsOnlyAndAsManyJoinersTakeTheirPlaces) {
  ExperimentOptions o = peers(16);
  o.free_riders = 4;
  o.churn = 0.25;
  o.peer_upload = "0.5x-3x";
  const Plan plan = make_plan(o);
  ASSERT_EQ(plan.viewers.size(), 20u);
  // Chosen as at fc4da5b: the same generator, shuffling the contributors
  // after the free riders' shuffle.
  const std::vector<size_t> killed = {3, 11, 2, 14};
  EXPECT_EQ(indices_where(plan, [](const ViewerPlan& v) { return v.killed; }),
            std::set<size_t>(killed.begin(), killed.end()));
  for (size_t k = 0; k < killed.size(); ++k) {
    const ViewerPlan& joiner = plan.viewers[16 + k];
    const ViewerPlan& gone = plan.viewers[killed[k]];
    EXPECT_FALSE(gone.free_rider);
    EXPECT_EQ(joiner.index, 16 + k);
    EXPECT_EQ(joiner.replaces, killed[k]);
    EXPECT_EQ(joiner.upload_label, gone.upload_label);
    EXPECT_EQ(joiner.host, viewer_host(16 + k));
    EXPECT_FALSE(joiner.decodes);
  }
}

TEST(Plan, ChurnComesMidRunByDefaultAndJoinersWatchTheRest) {
  ExperimentOptions o = peers(12);
  o.churn = 0.25;
  o.warmup = 4;
  o.join_spread = 2;
  o.duration = 16;
  Plan plan = make_plan(o);
  ASSERT_TRUE(plan.churn_at);
  EXPECT_EQ(*plan.churn_at, 4s + 2s + 8s);
  ASSERT_EQ(plan.viewers.size(), 15u);  // 0.25 x 12 = 3 killed
  EXPECT_EQ(plan.viewers[12].join, *plan.churn_at);
  EXPECT_EQ(plan.viewers[12].watch, 8s);
  EXPECT_EQ(plan.viewers[0].watch, 16s);  // the killed ones too: they are told the whole run

  o.churn_at = 3;
  plan = make_plan(o);
  EXPECT_EQ(*plan.churn_at, 4s + 2s + 3s);
  EXPECT_EQ(plan.viewers[12].watch, 13s);
  EXPECT_EQ(indices_where(plan, [](const ViewerPlan& v) { return v.killed; }),
            (std::set<size_t>{7, 5, 3}));
}

TEST(Plan, TheSourceKeepsItsDefaultRepairShareUnlessGivenOrClientServer) {
  ExperimentOptions o = peers(2);
  o.source_upload = "4x";
  Plan plan = make_plan(o);
  EXPECT_EQ(plan.source.upload_label, "4x");
  EXPECT_EQ(plan.source.upload.stream_multiple, 4.0);
  EXPECT_FALSE(plan.source.repair_share_label);  // the source's own default
  EXPECT_EQ(plan.source.repair_share, 0.3);
  EXPECT_FALSE(plan.client_server);

  o.mode = "client-server";
  plan = make_plan(o);
  EXPECT_TRUE(plan.client_server);
  EXPECT_EQ(plan.source.repair_share_label, "none");
  EXPECT_FALSE(plan.source.repair_share);

  o.repair_share = "0.5x";
  plan = make_plan(o);
  EXPECT_EQ(plan.source.repair_share_label, "0.5x");
  EXPECT_EQ(plan.source.repair_share, 0.5);
}

}  // namespace
}  // namespace shoal::experiment
