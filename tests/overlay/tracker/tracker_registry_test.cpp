#include "overlay/tracker/tracker_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace shoal {
namespace {

using namespace std::chrono_literals;

const WallTime t0{std::chrono::milliseconds(1'800'000'000'000)};

ChannelId channel(uint8_t fill) {
  ChannelId c;
  c.fill(fill);
  return c;
}

// Peer i on a host of its own.
Endpoint addr(int i) {
  return Endpoint{"10.0." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250),
                  static_cast<uint16_t>(7000 + i)};
}
// Port 7000 + i of `host`.
Endpoint on(const std::string& host, int i) {
  return Endpoint{host, static_cast<uint16_t>(7000 + i)};
}

// How many of `reply` are on `host`.
size_t from_host(const std::vector<Endpoint>& reply, const std::string& host) {
  return static_cast<size_t>(
      std::ranges::count_if(reply, [&](const Endpoint& e) { return e.host == host; }));
}

TEST(TrackerRegistry, ReturnsTheOtherPeersOfTheChannelOnly) {
  TrackerRegistry r({}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), addr(1), t0));
  ASSERT_TRUE(r.announce(channel(2), PeerId(2), addr(2), t0));
  const auto reply = r.announce(channel(1), PeerId(3), addr(3), t0);
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, std::vector{addr(1)});
}

TEST(TrackerRegistry, RepliesWithARandomSubsetOfAtMostFifty) {
  TrackerRegistry r({}, 1);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(r.announce(channel(1), PeerId(i), addr(i), t0));
  const auto a = r.announce(channel(1), PeerId(1000), addr(1000), t0);
  const auto b = r.announce(channel(1), PeerId(1001), addr(1001), t0);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 50u);
  EXPECT_NE(*a, *b);
}

TEST(TrackerRegistry, SilentEntriesExpire) {
  TrackerRegistry r({.ttl = 30s}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), addr(1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), addr(2), t0 + 20s));
  EXPECT_EQ(r.announce(channel(1), PeerId(3), addr(3), t0 + 30s)->size(), 1u);  // 1 is stale
  r.expire(t0 + 30s);
  EXPECT_EQ(r.peers(channel(1)), 2u);
  r.expire(t0 + 61s);
  EXPECT_EQ(r.channels(), 0u);
}

TEST(TrackerRegistry, AReannounceRefreshesAndMovesAPeer) {
  TrackerRegistry r({.ttl = 30s}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), addr(1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), addr(9), t0 + 25s));
  EXPECT_EQ(*r.announce(channel(1), PeerId(2), addr(2), t0 + 40s), std::vector{addr(9)});
}

TEST(TrackerRegistry, RefusesAnnouncesBeyondItsLimits) {
  TrackerRegistry r({.max_channels = 2, .max_peers_per_channel = 2}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), addr(1), t0));
  ASSERT_TRUE(r.announce(channel(2), PeerId(1), addr(1), t0));
  const auto third_channel = r.announce(channel(3), PeerId(1), addr(1), t0);
  ASSERT_FALSE(third_channel);
  EXPECT_NE(third_channel.error().find("too many channels"), std::string::npos);
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), addr(2), t0));
  EXPECT_FALSE(r.announce(channel(1), PeerId(3), addr(3), t0));
  EXPECT_TRUE(r.announce(channel(1), PeerId(2), addr(2), t0 + 1s));  // known peers may refresh
}

TEST(TrackerRegistry, OneHostHoldsAtMostEightEntriesOfAChannel) {
  TrackerRegistry r({}, 1);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(r.announce(channel(1), PeerId(i), on("10.9.9.9", i), t0 + i * 1ms));
  }
  EXPECT_EQ(r.peers(channel(1)), 8u);
  const auto reply = r.announce(channel(1), PeerId(1000), addr(1), t0 + 1s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(from_host(*reply, "10.9.9.9"), 8u);
  // The cap is per channel: the same host fills another channel's list too.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(r.announce(channel(2), PeerId(i), on("10.9.9.9", i), t0));
  EXPECT_EQ(r.peers(channel(2)), 8u);
}

TEST(TrackerRegistry, ANewcomerFromAFullHostReplacesItsOldestEntry) {
  TrackerRegistry r({.max_per_host = 3}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), on("10.9.9.9", 1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), on("10.9.9.9", 2), t0 + 1s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(3), on("10.9.9.9", 3), t0 + 2s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), on("10.9.9.9", 1), t0 + 3s));  // 2 is oldest now
  const auto newcomer = r.announce(channel(1), PeerId(4), on("10.9.9.9", 4), t0 + 4s);
  ASSERT_TRUE(newcomer);  // not refused
  EXPECT_EQ(newcomer->size(), 2u);
  EXPECT_EQ(from_host(*newcomer, "10.9.9.9"), 2u);
  EXPECT_EQ(std::ranges::count(*newcomer, on("10.9.9.9", 2)), 0);
  const auto reply = r.announce(channel(1), PeerId(5), addr(5), t0 + 5s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), 3u);
  EXPECT_EQ(std::set<uint16_t>({(*reply)[0].port, (*reply)[1].port, (*reply)[2].port}),
            (std::set<uint16_t>{7001, 7003, 7004}));
}

TEST(TrackerRegistry, AReannounceFromAFullHostOnlyRefreshes) {
  TrackerRegistry r({.max_per_host = 2}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), on("10.9.9.9", 1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), on("10.9.9.9", 2), t0 + 1s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), on("10.9.9.9", 9), t0 + 2s));  // a new port
  EXPECT_EQ(r.peers(channel(1)), 2u);
  EXPECT_EQ(r.announce(channel(1), PeerId(3), addr(3), t0 + 3s)->size(), 2u);
}

TEST(TrackerRegistry, APeerMovingToAFullHostCountsThere) {
  TrackerRegistry r({.max_per_host = 2}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), on("10.9.9.9", 1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), on("10.9.9.9", 2), t0 + 1s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(3), on("10.8.8.8", 3), t0 + 2s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(3), on("10.9.9.9", 3), t0 + 3s));  // evicts 1
  const auto reply = r.announce(channel(1), PeerId(4), addr(4), t0 + 4s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), 2u);
  EXPECT_EQ(std::set<uint16_t>({(*reply)[0].port, (*reply)[1].port}),
            (std::set<uint16_t>{7002, 7003}));
  // 10.8.8.8 holds none any more: it may fill up again.
  for (int i = 10; i < 12; ++i)
    ASSERT_TRUE(r.announce(channel(1), PeerId(i), on("10.8.8.8", i), t0 + 5s));
  EXPECT_EQ(r.peers(channel(1)), 5u);
}

TEST(TrackerRegistry, AFullHostLeavesOtherHostsAlone) {
  TrackerRegistry r({.max_per_host = 2}, 1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(r.announce(channel(1), PeerId(i), addr(i), t0));
  for (int i = 10; i < 30; ++i)
    ASSERT_TRUE(r.announce(channel(1), PeerId(i), on("10.9.9.9", i), t0 + 1s));
  const auto reply = r.announce(channel(1), PeerId(100), addr(100), t0 + 2s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->size(), 7u);
  EXPECT_EQ(from_host(*reply, "10.9.9.9"), 2u);
}

TEST(TrackerRegistry, ExpiredEntriesFreeTheirHostsPlaces) {
  TrackerRegistry r({.ttl = 30s, .max_per_host = 2}, 1);
  ASSERT_TRUE(r.announce(channel(1), PeerId(1), on("10.9.9.9", 1), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(2), on("10.9.9.9", 2), t0));
  ASSERT_TRUE(r.announce(channel(1), PeerId(3), addr(3), t0 + 20s));
  r.expire(t0 + 30s);
  EXPECT_EQ(r.peers(channel(1)), 1u);
  ASSERT_TRUE(r.announce(channel(1), PeerId(4), on("10.9.9.9", 4), t0 + 31s));
  ASSERT_TRUE(r.announce(channel(1), PeerId(5), on("10.9.9.9", 5), t0 + 31s));
  EXPECT_EQ(r.peers(channel(1)), 3u);
}

}  // namespace
}  // namespace shoal
