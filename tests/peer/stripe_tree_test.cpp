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
