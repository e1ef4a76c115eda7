// A node's place on the ring and its upkeep: routing by fingers and
// successors, stabilization adopting a node that joined in between, NOTIFY
// adopting a closer predecessor, a dead successor replaced by the next and
// the list refilled, fingers set from what the node knows or looked up,
// joining and leaving. On the Chord paper's 6-bit ring, with a fake clock.
#include "overlay/dht/ring_state.h"

#include <gtest/gtest.h>

#include "chord_fixtures.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

std::vector<DhtId> ids(const std::vector<DhtNode>& nodes) {
  std::vector<DhtId> out;
  for (const DhtNode& n : nodes) out.push_back(n.id);
  return out;
}
std::vector<DhtId> ids(std::initializer_list<uint64_t> ks) {
  std::vector<DhtId> out;
  for (uint64_t k : ks) out.push_back(key(k));
  return out;
}

TEST(RingState, AloneItOwnsEveryKeyAndAnswersForAll) {
  RingState ring(config(8));
  EXPECT_FALSE(ring.joined());
  EXPECT_FALSE(ring.owns(key(8)));
  ring.create();
  for (uint64_t k : {0, 8, 9, 63}) {
    EXPECT_TRUE(ring.owns(key(k))) << k;
    EXPECT_EQ(ring.route(key(k)).node, node(8)) << k;
    EXPECT_TRUE(ring.route(key(k)).done) << k;
  }
}

TEST(RingState, ClosestPrecedingIsTheFarthestKnownNodeBeforeTheKey) {
  JoinedNode8 n;
  n.ring.set_finger(5, node(42));
  EXPECT_EQ(n.ring.closest_preceding(key(40)), node(32));
  EXPECT_EQ(n.ring.closest_preceding(key(50)), node(42));
  EXPECT_EQ(n.ring.closest_preceding(key(14)), std::nullopt);  // none strictly before 14
  EXPECT_EQ(n.ring.closest_preceding(key(7)), node(42));       // wrapping past zero
}

TEST(RingState, RoutesToTheOwnerItKnowsElseToTheClosestPrecedingNode) {
  JoinedNode8 n;
  const Route mine = n.ring.route(key(8));  // no predecessor yet: only its own id
  EXPECT_TRUE(mine.done);
  EXPECT_EQ(mine.node, node(8));
  const Route next = n.ring.route(key(10));  // in (8, successor]
  EXPECT_TRUE(next.done);
  EXPECT_EQ(next.node, node(14));
  const Route far = n.ring.route(key(40));
  EXPECT_FALSE(far.done);
  EXPECT_EQ(far.node, node(32));
}

TEST(RingState, StabilizeAsksTheSuccessorForItsStateAndPingsThePredecessor) {
  JoinedNode8 n;
  n.ring.on_notify(node(1));
  n.ring.stabilize(n.rpc, kStart);
  EXPECT_EQ(sent(n.rpc.take()), (Strings{"GET_STATE>node:14", "PING>node:1"}));
}

TEST(RingState, TheSuccessorsStateRefillsTheListAndTheSuccessorIsNotified) {
  RingState ring(config(8));
  RequestLayer rpc(400ms, 1, 1);
  ring.join_at(node(14));
  ring.on_state("node:14", StateMsg{node(8), {node(21), node(8), node(32), node(38)}}, rpc, kStart);
  EXPECT_EQ(ids(ring.successors()), ids({14, 21, 32}));  // r = 3, never itself
  EXPECT_EQ(sent(rpc.take()), Strings{"NOTIFY>node:14"});
}

TEST(RingState, AStateFromAnyoneButTheSuccessorIsIgnored) {
  JoinedNode8 n;
  n.ring.on_state("evil:1", StateMsg{{}, {{key(9), "evil:1"}}}, n.rpc, kStart);
  EXPECT_EQ(ids(n.ring.successors()), ids({14, 21, 32}));
  EXPECT_TRUE(n.rpc.take().empty());
}

TEST(RingState, ANodeThatJoinedInBetweenBecomesTheSuccessor) {
  JoinedNode8 n;
  n.ring.on_state("node:14", StateMsg{node(10), {node(21), node(32)}}, n.rpc, kStart);
  EXPECT_EQ(ids(n.ring.successors()), ids({10, 14, 21}));
  EXPECT_EQ(sent(n.rpc.take()), Strings{"GET_STATE>node:10"});
}

TEST(RingState, NotifyAdoptsACloserPredecessorAndNamesTheKeysItNowOwns) {
  RingState ring(config(32));
  ring.join_at(node(38));
  EXPECT_EQ(ring.on_notify(node(14)), std::nullopt);  // none before: nothing moves
  EXPECT_EQ(ring.predecessor(), node(14));
  EXPECT_EQ(ring.on_notify(node(21)), key(14));  // 21 owns (14, 21] now
  EXPECT_EQ(ring.predecessor(), node(21));
  EXPECT_EQ(ring.on_notify(node(8)), std::nullopt);  // farther than 21
  EXPECT_EQ(ring.predecessor(), node(21));
  EXPECT_TRUE(ring.owns(key(30)));
  EXPECT_FALSE(ring.owns(key(20)));
}

TEST(RingState, ASuccessorThatAnswersNothingGivesWayToTheNextAndTheListIsRepaired) {
  JoinedNode8 n;
  EXPECT_TRUE(n.ring.drop_unanswering("node:14"));
  EXPECT_EQ(ids(n.ring.successors()), ids({21, 32}));
  EXPECT_EQ(n.ring.nodes_dropped(), 1u);
  EXPECT_EQ(n.ring.take_notes(), Strings{"successor node:14 is not answering"});
  n.ring.on_state("node:21", StateMsg{node(8), {node(32), node(38), node(42)}}, n.rpc, kStart);
  EXPECT_EQ(ids(n.ring.successors()), ids({21, 32, 38}));

  EXPECT_FALSE(n.ring.drop_unanswering("node:99"));  // unknown: nothing dropped
  EXPECT_EQ(n.ring.nodes_dropped(), 1u);
}

TEST(RingState, WhenEverySuccessorIsGoneTheClosestLiveFingerStandsIn) {
  JoinedNode8 n;
  n.ring.set_finger(4, node(32));
  n.ring.set_finger(5, node(42));
  for (const char* dead : {"node:14", "node:21", "node:32"}) n.ring.drop_unanswering(dead);
  EXPECT_EQ(ids(n.ring.successors()), ids({42}));
}

TEST(RingState, ALeavingSuccessorIsReplacedByItsOwnSuccessors) {
  JoinedNode8 n;
  EXPECT_TRUE(n.ring.on_leaving(LeavingMsg{node(14), node(8), {node(21), node(32), node(38)}}));
  EXPECT_EQ(ids(n.ring.successors()), ids({21, 32, 38}));
  // Its successor takes the leaving node's predecessor as its own.
  RingState next(config(21));
  next.join_at(node(32));
  next.on_notify(node(14));
  EXPECT_FALSE(next.on_leaving(LeavingMsg{node(14), node(8), {node(21)}}));
  EXPECT_EQ(next.predecessor(), node(8));
}

TEST(RingState, ALeavingNeighbourIsIgnoredByANodeOutOfTheRing) {
  RingState never(config(8));  // not joined yet
  EXPECT_FALSE(never.on_leaving(LeavingMsg{node(14), node(1), {node(21)}}));
  EXPECT_FALSE(never.joined());
  // Two neighbours leaving at once: the LEAVING of one reaches the other
  // after it is out.
  JoinedNode8 n;
  n.ring.leave(n.rpc);
  EXPECT_FALSE(n.ring.on_leaving(LeavingMsg{node(14), node(8), {node(21)}}));
  EXPECT_FALSE(n.ring.joined());
  EXPECT_FALSE(n.ring.predecessor());
}

TEST(RingState, LeavingTellsBothNeighboursAndLeavesTheRing) {
  JoinedNode8 n;
  n.ring.on_notify(node(1));
  n.ring.leave(n.rpc);
  EXPECT_EQ(sent(n.rpc.take()), (Strings{"LEAVING>node:14", "LEAVING>node:1"}));
  EXPECT_FALSE(n.ring.joined());
  EXPECT_FALSE(n.ring.predecessor());
}

TEST(RingState, FingersItCanPlaceAreSetAndTheOthersLookedUpAFewARound) {
  ChordConfig c = config(8);
  c.fingers_per_round = 2;
  RingState ring(c);
  ring.join_at(node(14));
  // Starts 9, 10 and 12 fall before the successor; 16, 24 and 40 are asked
  // of 14, the closest preceding node known, two a round.
  auto lookups = ring.fix_fingers({});
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[0].finger, 3);
  EXPECT_EQ(lookups[0].start, key(16));
  EXPECT_EQ(lookups[0].ask, node(14));
  EXPECT_EQ(lookups[1].finger, 4);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ring.finger(i), node(14)) << i;

  // The next round goes on from finger 5, and skips one already under way.
  lookups = ring.fix_fingers({5});
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[0].finger, 3);
  EXPECT_EQ(lookups[1].finger, 4);

  // A finger whose start falls before the finger below it is that node.
  ring.set_finger(3, node(32));
  lookups = ring.fix_fingers({});
  EXPECT_EQ(ring.finger(4), node(32));
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[0].finger, 5);
  EXPECT_EQ(lookups[0].ask, node(32));
}

TEST(RingState, AFingerWhoseStartThisNodeOwnsIsSetWithNoLookup) {
  RingState ring(config(40));
  ring.join_at(node(42));
  ring.on_notify(node(4));  // 40 owns (4, 40]; its finger 5 starts at 40 + 32 = 8
  const auto lookups = ring.fix_fingers({});
  EXPECT_EQ(ring.finger(5), node(40));
  ASSERT_EQ(lookups.size(), 3u);  // 44, 48 and 56, asked of 42
  EXPECT_EQ(lookups[2].finger, 4);
  EXPECT_EQ(lookups[2].ask, node(42));
}

TEST(RingState, AJoinSetsTheSuccessorUnlessTheIdIsTaken) {
  RingState ring(config(8));
  ring.join_through("node:1");
  EXPECT_FALSE(ring.join_at(DhtNode{key(8), "node:other"}));
  EXPECT_EQ(ring.take_notes(),
            Strings{"node id 8 is taken by node:other; choose another --node-id"});
  EXPECT_FALSE(ring.joined());
  EXPECT_EQ(ring.bootstrap(), "node:1");
  EXPECT_TRUE(ring.join_at(node(14)));
  EXPECT_TRUE(ring.joined());
  EXPECT_EQ(ring.successor(), node(14));
  EXPECT_FALSE(ring.bootstrap());
}

TEST(RingState, OnlyTheFirstOfARunOfSilencesWhileJoiningIsNoted) {
  RingState ring(config(8));
  ring.join_through("node:1");
  for (int i = 0; i < 3; ++i) ring.join_failed("node:1", std::nullopt, 500ms);
  ring.join_failed("node:1", "busy", 500ms);
  EXPECT_EQ(ring.take_notes(),
            (Strings{"no answer from node:1 while joining; trying again every 500 ms",
                     "joining through node:1 failed: busy"}));
}

}  // namespace
}  // namespace shoal
