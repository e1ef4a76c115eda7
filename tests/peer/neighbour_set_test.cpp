// Who a viewer's neighbours are: how many it dials and accepts, whom it
// never takes, which of two links to one peer it keeps, and who makes way.
#include "peer/neighbour_set.h"

#include <gtest/gtest.h>

#include <set>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const Endpoint kSourceAt{"10.0.0.1", 7000};
const PeerId kSelf(50);

Endpoint peer_at(int i) { return {"10.0.1." + std::to_string(i), 7001}; }

std::vector<Endpoint> peers(int n) {
  std::vector<Endpoint> out;
  for (int i = 1; i <= n; ++i) out.push_back(peer_at(i));
  return out;
}

Hello hello(uint64_t id, uint16_t listen_port = 7001) {
  return Hello{kProtocolVersion, ChannelId{}, PeerId(id), listen_port};
}

std::set<std::string> addresses(const PexMsg& pex) { return {pex.addrs.begin(), pex.addrs.end()}; }

class NeighbourSetTest : public ::testing::Test {
 protected:
  NeighbourSet make(NeighbourConfig c) {
    c.self = kSelf;
    c.source = kSourceAt;
    return NeighbourSet(c);
  }
  // A greeted neighbour on `conn`.
  void greet(NeighbourSet& set, ConnId conn, LinkKind kind, const Endpoint& at, uint64_t id) {
    ASSERT_TRUE(set.connected(conn, kind, at, now_));
    ASSERT_FALSE(set.hello(conn, hello(id)));
    set.welcome(conn);
  }

  WallTime now_ = kEpoch;
  std::mt19937_64 rng_{1};
};

TEST_F(NeighbourSetTest, DialsUntilTheTargetCountingDialsUnderWay) {
  NeighbourSet set = make({.target = 3});
  set.learn(peers(5), now_);
  const auto first = set.to_dial(now_, rng_);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_TRUE(set.to_dial(now_, rng_).empty()) << "three dials are under way";
  set.dial_failed(first[0], now_);
  set.dial_failed(first[1], now_);
  // The two never tried go now; the failed ones only after a retry delay.
  std::set<std::string> untried;
  for (const Endpoint& e : peers(5)) untried.insert(e.to_string());
  for (const Endpoint& e : first) untried.erase(e.to_string());
  std::set<std::string> again;
  for (const Endpoint& e : set.to_dial(now_, rng_)) again.insert(e.to_string());
  EXPECT_EQ(again, untried);
}

TEST_F(NeighbourSetTest, NeverTakesTheSourceForAPeer) {
  NeighbourSet set = make({.target = 6});
  const std::vector<Endpoint> found{kSourceAt, peer_at(1)};
  set.learn(found, now_);
  set.learn(PexMsg{{kSourceAt.to_string(), peer_at(2).to_string()}}, now_);
  const auto dials = set.to_dial(now_, rng_);
  std::set<std::string> dialled;
  for (const Endpoint& e : dials) dialled.insert(e.to_string());
  EXPECT_EQ(dialled, (std::set<std::string>{peer_at(1).to_string(), peer_at(2).to_string()}));
}

TEST_F(NeighbourSetTest, TurnsAwayAnAcceptedNewcomerWhenFullButNotTheSource) {
  NeighbourSet set = make({.max = 2});
  EXPECT_TRUE(set.connected(ConnId(1), LinkKind::source, kSourceAt, now_));
  EXPECT_TRUE(set.connected(ConnId(2), LinkKind::accepted, {"10.0.1.1", 40000}, now_));
  EXPECT_TRUE(set.connected(ConnId(3), LinkKind::dialled, peer_at(2), now_));
  EXPECT_FALSE(set.connected(ConnId(4), LinkKind::accepted, {"10.0.1.3", 40000}, now_));
  EXPECT_EQ(set.peers(), 2u);
}

TEST_F(NeighbourSetTest, FetchingFromTheSourceOnlyKeepsNoPeers) {
  NeighbourSet set = make({.client_server = true});
  EXPECT_FALSE(set.connected(ConnId(2), LinkKind::accepted, {"10.0.1.1", 40000}, now_));
  set.learn(peers(3), now_);
  EXPECT_TRUE(set.to_dial(now_, rng_).empty());
}

TEST_F(NeighbourSetTest, AnAcceptedNeighbourIsKnownByItsListenPortOnceGreeted) {
  NeighbourSet set = make({});
  greet(set, ConnId(1), LinkKind::source, kSourceAt, 1);
  greet(set, ConnId(2), LinkKind::accepted, {"10.0.1.1", 40000}, 7);
  EXPECT_EQ(set.find(ConnId(2))->address.to_string(), "10.0.1.1:7001");
  // A newcomer turned away hears of every greeted neighbour, the source too.
  EXPECT_EQ(addresses(set.everyone()),
            (std::set<std::string>{"10.0.1.1:7001", kSourceAt.to_string()}));
}

TEST_F(NeighbourSetTest, AHelloFromItselfEndsTheLinkAndThatAddressIsNeverDialledAgain) {
  NeighbourSet set = make({.target = 6});
  set.learn(peers(1), now_);
  ASSERT_EQ(set.to_dial(now_, rng_).size(), 1u);
  ASSERT_TRUE(set.connected(ConnId(2), LinkKind::dialled, peer_at(1), now_));
  const auto d = set.hello(ConnId(2), hello(kSelf.value));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->conn, ConnId(2));
  EXPECT_EQ(d->reason, "connected to itself");
  set.drop(ConnId(2), d->ban, now_);
  EXPECT_TRUE(set.to_dial(now_ + 1h, rng_).empty());
}

TEST_F(NeighbourSetTest, AViewerThatSentABadChunkIsRefusedAndBanned) {
  NeighbourSet set = make({});
  set.ban(PeerId(9));
  ASSERT_TRUE(set.connected(ConnId(2), LinkKind::accepted, {"10.0.1.1", 40000}, now_));
  const auto d = set.hello(ConnId(2), hello(9));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->ban);
}

TEST_F(NeighbourSetTest, OfTwoLinksToOnePeerBothEndsKeepTheOneTheSmallerIdDialled) {
  // We (50) dialled peer 9 and it dialled us: 9 < 50, so its link stays.
  NeighbourSet set = make({});
  greet(set, ConnId(1), LinkKind::dialled, peer_at(1), 9);
  ASSERT_TRUE(set.connected(ConnId(2), LinkKind::accepted, {"10.0.1.1", 40000}, now_));
  auto d = set.hello(ConnId(2), hello(9));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->conn, ConnId(1)) << "ours goes; the one it dialled is welcome";
  // With peer 90 it is the other way round: ours (50) stays.
  greet(set, ConnId(3), LinkKind::dialled, peer_at(2), 90);
  ASSERT_TRUE(set.connected(ConnId(4), LinkKind::accepted, {"10.0.1.2", 40000}, now_));
  d = set.hello(ConnId(4), hello(90));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->conn, ConnId(4));
  EXPECT_EQ(d->reason, "duplicate connection");
}

TEST_F(NeighbourSetTest, AnotherAddressOfAPeerLinkedAlreadyIsNotDialledAgain) {
  // Peer 9 dialled us from loopback; the source names its LAN address too.
  NeighbourSet set = make({});
  greet(set, ConnId(1), LinkKind::accepted, {"127.0.0.1", 40000}, 9);  // listens on 7001
  const Endpoint lan = peer_at(1);
  const PexMsg parents{.addrs = {lan.to_string()}, .parents = true};
  ASSERT_EQ(set.dial_now(parents, now_), std::vector{lan});
  ASSERT_TRUE(set.connected(ConnId(2), LinkKind::dialled, lan, now_));
  const auto d = set.hello(ConnId(2), hello(9));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->conn, ConnId(2)) << "the link 9 dialled stays";
  set.drop(ConnId(2), false, now_);
  EXPECT_TRUE(set.dial_now(parents, now_ + 1min).empty()) << "it is linked already";
  EXPECT_TRUE(set.to_dial(now_ + 1min, rng_, 0).empty());
}

TEST_F(NeighbourSetTest, OneNeighbourThatTradesNothingMakesWayWhenOthersWait) {
  NeighbourSet set = make({.target = 2, .replace_after = 30s});
  set.learn(peers(4), now_);
  greet(set, ConnId(1), LinkKind::dialled, peer_at(1), 11);
  greet(set, ConnId(2), LinkKind::dialled, peer_at(2), 12);
  set.find(ConnId(2))->received.add(1000, now_ + 29s);
  EXPECT_EQ(set.to_replace(now_ + 31s), ConnId(1)) << "the one that sent nothing";
  EXPECT_FALSE(set.to_replace(now_ + 32s)) << "one per interval";
}

TEST_F(NeighbourSetTest, ANeighbourGetsTimeToTradeBeforeItMustMakeWay) {
  NeighbourSet set = make({.target = 2, .replace_after = 30s});
  set.learn(peers(4), now_);
  greet(set, ConnId(1), LinkKind::dialled, peer_at(1), 11);
  EXPECT_FALSE(set.to_replace(now_ + 29s));
}

TEST_F(NeighbourSetTest, NobodyMakesWayWhenNobodyWaits) {
  NeighbourSet set = make({.target = 2, .replace_after = 30s});
  set.learn(peers(1), now_);
  greet(set, ConnId(1), LinkKind::dialled, peer_at(1), 11);
  EXPECT_FALSE(set.to_replace(now_ + 31s));
}

TEST_F(NeighbourSetTest, APexListsOtherGreetedViewersThatAcceptConnections) {
  NeighbourSet set = make({});
  greet(set, ConnId(1), LinkKind::source, kSourceAt, 1);
  greet(set, ConnId(2), LinkKind::dialled, peer_at(1), 11);
  greet(set, ConnId(3), LinkKind::dialled, peer_at(2), 12);
  greet(set, ConnId(4), LinkKind::accepted, {"10.0.1.4", 40000}, 14);
  set.find(ConnId(4))->address.port = 0;  // accepts nobody
  ASSERT_TRUE(set.connected(ConnId(5), LinkKind::dialled, peer_at(5), now_));  // not greeted
  EXPECT_EQ(addresses(set.pex_for(ConnId(2), rng_)),
            (std::set<std::string>{peer_at(2).to_string()}));
}

TEST_F(NeighbourSetTest, ALostPeerMayBeDialledAgainLater) {
  NeighbourSet set = make({.target = 1});
  set.learn(peers(1), now_);
  ASSERT_EQ(set.to_dial(now_, rng_).size(), 1u);
  greet(set, ConnId(2), LinkKind::dialled, peer_at(1), 11);
  EXPECT_TRUE(set.lost(ConnId(2), now_));
  EXPECT_FALSE(set.lost(ConnId(2), now_));
  EXPECT_EQ(set.to_dial(now_ + 1h, rng_).size(), 1u);
}

}  // namespace
}  // namespace shoal
