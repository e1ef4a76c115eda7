#include "peer/stripe_tree.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

constexpr WallTime kT0{std::chrono::seconds(100)};

// What a neighbour at `depth` in every stripe, home `home`, with a free
// slot everywhere, would tell.
StripesMsg stripes_at(uint8_t depth, uint8_t home, bool leaving = false) {
  StripesMsg m;
  m.home = home;
  m.depth.assign(kStripes, depth);
  m.takes.assign(kStripes, 0);
  m.ancestors.assign(kStripes, 0);
  m.slots = 5;
  m.leaving = leaving;
  return m;
}

const SubscribeMsg* subscription_to(const std::vector<std::pair<ConnId, SubscribeMsg>>& out,
                                    ConnId conn) {
  for (const auto& [c, m] : out) {
    if (c == conn) return &m;
  }
  return nullptr;
}

// A node at depth 2 in every stripe, under `parent`, with `other` in reach.
struct Child {
  StripeTree tree{PeerId{}, false, {}, 1};
  ConnId parent{1}, other{2};
  uint32_t ask = 0;  // of the subscription to `parent`

  Child() {
    tree.set_slots(5);
    tree.heard(parent, stripes_at(1, 0), kT0);
    const auto out = tree.choose(kT0);
    for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(tree.parent(s), parent);
    EXPECT_NE(subscription_to(out, parent), nullptr);
    ask = subscription_to(out, parent)->ask;
    tree.heard(other, stripes_at(3, 0), kT0);
  }
};

TEST(StripeTree, AChildOfALeavingParentMovesAtOnceButKeepsItsDepthMeanwhile) {
  Child c;
  c.tree.heard(c.parent, stripes_at(1, 0, /*leaving=*/true), kT0 + std::chrono::milliseconds(1));
  // Its depth still counts from the leaving parent, so its own children stay.
  EXPECT_EQ(c.tree.depth(0), 2);
  const auto out = c.tree.choose(kT0 + std::chrono::milliseconds(1));
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(c.tree.parent(s), c.other);
  ASSERT_NE(subscription_to(out, c.other), nullptr);
  EXPECT_EQ(subscription_to(out, c.other)->stripes, kAllStripes);
}

TEST(StripeTree, ALeavingNodeKeepsItsParentsRankedBelowEveryOtherChild) {
  Child c;
  c.tree.leave_all();
  const auto out = c.tree.choose(kT0 + std::chrono::milliseconds(1));
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(c.tree.parent(s), c.parent);
  const SubscribeMsg* again = subscription_to(out, c.parent);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->stripes, kAllStripes);
  EXPECT_EQ(again->slots, 0);
  EXPECT_EQ(StripeTree::rank(0, 0, again->home, again->slots), 1);
  // It tells everyone it is leaving and takes nobody.
  const StripesMsg told = c.tree.state_for(c.other);
  EXPECT_TRUE(told.leaving);
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(told.takes[s], kTakesNobody);
  EXPECT_EQ(told.depth[0], 2);
}

TEST(StripeTree, AParentThatCountsItAmongItsAncestorsSinceTakingItIsALoop) {
  Child c;
  // Only a node with children can be in a loop.
  c.tree.subscribe(ConnId{7}, SubscribeMsg{.stripes = kAllStripes, .home = 0, .slots = 5, .ask = 1});
  ASSERT_EQ(c.tree.children(0).size(), 1u);
  StripesMsg looped = stripes_at(1, 0);
  looped.ancestors.assign(kStripes, ~uint64_t{0});  // every node's bits
  looped.pushing = kAllStripes;
  // Word sent before it took us may be stale: no loop yet.
  looped.answer = c.ask - 1;
  c.tree.heard(c.parent, looped, kT0);
  EXPECT_EQ(c.tree.depth(0), 2);
  looped.answer = c.ask;
  c.tree.heard(c.parent, looped, kT0);
  EXPECT_EQ(c.tree.depth(0), kNoDepth);
  EXPECT_EQ(c.tree.state_for(c.other).depth[0], kNoDepth);
}

TEST(StripeTree, ALeafTakesAParentWhoseFilterHappensToHoldItsBits) {
  Child c;
  // A node near the root whose two bits cover ours: no descendant of ours,
  // as we have no children.
  StripesMsg near = stripes_at(0, 0);
  near.ancestors.assign(kStripes, StripeTree::filter_bits(PeerId{}));
  const ConnId nearer{3};
  c.tree.heard(nearer, near, kT0);
  c.tree.heard(c.parent, stripes_at(kNoDepth, 0), kT0);  // it lost its own
  const auto out = c.tree.choose(kT0);
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(c.tree.parent(s), nearer);
  ASSERT_NE(subscription_to(out, nearer), nullptr);
  // Taken, it counts us among its ancestors by the filter alone: no loop.
  near.pushing = kAllStripes;
  near.answer = subscription_to(out, nearer)->ask;
  c.tree.heard(nearer, near, kT0);
  EXPECT_EQ(c.tree.depth(0), 1);
}

TEST(StripeTree, AChildThatTellsItHasNoRoomRanksAsALeafWhateverItsSubscriptionSaid) {
  StripeTree parent{PeerId{5}, false, {}, 1};
  parent.set_slots(1);
  const ConnId up{1}, liar{2}, leaf{3};
  StripesMsg from_up = stripes_at(0, kStripes);
  from_up.your_home = 0;
  parent.heard(up, from_up, kT0);
  parent.choose(kT0);
  ASSERT_EQ(parent.home(), 0u);
  // It subscribes as one that passes stripe 0 on, and tells everyone it has
  // no room for children.
  StripesMsg no_room = stripes_at(kNoDepth, 0);
  no_room.slots = 0;
  parent.heard(liar, no_room, kT0);
  ASSERT_EQ(parent.subscribe(liar, {.stripes = stripe_bit(0), .home = 0, .slots = 5, .ask = 1}).pushing,
            stripe_bit(0));
  // An honest leaf that uploads takes its place.
  parent.heard(leaf, stripes_at(kNoDepth, 1), kT0);
  const StripeTree::Answer a =
      parent.subscribe(leaf, {.stripes = stripe_bit(0), .home = 1, .slots = 5, .ask = 1});
  EXPECT_EQ(a.pushing, stripe_bit(0));
  EXPECT_EQ(a.displaced, std::vector<ConnId>{liar});
}

TEST(StripeTree, ALeavingNodeTakesNoNewChild) {
  Child c;
  c.tree.leave_all();
  const StripeTree::Answer a =
      c.tree.subscribe(ConnId{7}, SubscribeMsg{.stripes = kAllStripes, .home = 0, .slots = 5, .ask = 1});
  EXPECT_EQ(a.pushing, 0);
}

TEST(StripeTree, PointedAtParentsWhileOrphanedItTakesANearerOneAtOnce) {
  StripeTree tree{PeerId{9}, false, {}, 1};
  tree.set_slots(5);
  const ConnId deep{1}, near{2};
  // Its first look finds only a parent far down, which it takes: its next
  // look is seconds away.
  tree.heard(deep, stripes_at(9, 0), kT0);
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(tree.depth(s), kNoDepth);
  tree.look_now(kT0 + std::chrono::seconds(2));  // the source points it at `near`
  tree.choose(kT0);
  for (uint32_t s = 0; s < kStripes; ++s) ASSERT_EQ(tree.parent(s), deep);
  // `near` answers its dial within the window: taken at once.
  tree.heard(near, stripes_at(1, 0), kT0 + std::chrono::milliseconds(500));
  tree.choose(kT0 + std::chrono::milliseconds(500));
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(tree.parent(s), near);
}

TEST(StripeTree, PointedAtParentsWhereItHasADepthItMovesOnlyAtItsNextLook) {
  StripeTree tree{PeerId{9}, false, {}, 1};
  tree.set_slots(5);
  const ConnId mid{1}, near{2};
  tree.heard(mid, stripes_at(5, 0), kT0);
  tree.choose(kT0);  // its look: the next one is seconds away
  for (uint32_t s = 0; s < kStripes; ++s) ASSERT_EQ(tree.depth(s), 6);
  tree.look_now(kT0 + std::chrono::seconds(2));  // not orphaned anywhere: no effect
  tree.heard(near, stripes_at(1, 0), kT0 + std::chrono::milliseconds(500));
  tree.choose(kT0 + std::chrono::milliseconds(500));
  for (uint32_t s = 0; s < kStripes; ++s) EXPECT_EQ(tree.parent(s), mid);
}

}  // namespace
}  // namespace shoal
