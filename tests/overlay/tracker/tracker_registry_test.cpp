#include "overlay/tracker/tracker_registry.h"

#include <gtest/gtest.h>

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

Endpoint addr(int i) { return Endpoint{"127.0.0.1", static_cast<uint16_t>(7000 + i)}; }

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

}  // namespace
}  // namespace shoal
