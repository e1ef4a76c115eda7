// Tit-for-tat: the four fastest senders are unchoked, the ranking moves only
// every 10 s, one optimistic slot rotates every 30 s, and a newcomer that
// reciprocates earns a regular slot. An uplink with room to spare opens
// more slots, one a second, in the same ranking, to neighbours that send to
// us or are new; a saturated one closes them. A viewer that holds no chunk
// yet gets a spare slot at once.
#include "peer/choker.h"

#include <gtest/gtest.h>

#include <map>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

// Six interested neighbours, ConnId 1..6, sending at the given rates.
std::vector<NeighbourRate> rates(std::vector<double> bytes_per_second) {
  std::vector<NeighbourRate> out;
  for (size_t i = 0; i < bytes_per_second.size(); ++i) {
    out.push_back({ConnId(i + 1), bytes_per_second[i], true});
  }
  return out;
}

std::set<ConnId> regular(const Choker& c, size_t neighbours) {
  std::set<ConnId> out;
  for (uint64_t i = 1; i <= neighbours; ++i) {
    if (c.unchoked(ConnId(i)) && c.optimistic() != ConnId(i)) out.insert(ConnId(i));
  }
  return out;
}

TEST(Choker, RanksTheFastestSendersFirst) {
  const auto n = rates({10, 50, 30, 70, 20, 60});
  EXPECT_EQ(rank_by_rate(n, 4), (std::vector{ConnId(4), ConnId(6), ConnId(2), ConnId(3)}));
}

TEST(Choker, ASenderThatWantsNothingNowKeepsItsRankAndAnIdleOneHasNone) {
  auto n = rates({10, 50, 30, 70, 0, 60});
  n[3].interested = false;  // the fastest holds all our newest chunks
  n[4].interested = false;  // sends nothing and wants nothing
  EXPECT_EQ(rank_by_rate(n, 6),
            (std::vector{ConnId(4), ConnId(6), ConnId(2), ConnId(3), ConnId(1)}));
}

TEST(Choker, AFreeRiderDoesNotTakeTheSlotOfASenderThatWantsNothingForAMoment) {
  Choker c({.max_spare_slots = 0}, 1);
  auto n = rates({90, 80, 70, 60, 0});  // 5 sends nothing
  n[0].interested = false;
  c.tick(kEpoch, n);
  EXPECT_EQ(regular(c, 5), (std::set{ConnId(1), ConnId(2), ConnId(3), ConnId(4)}));
}

TEST(Choker, UnchokesTheTopFourByRate) {
  Choker c({}, 1);
  const auto change = c.tick(kEpoch, rates({10, 50, 30, 70, 20, 60}));
  EXPECT_EQ(regular(c, 6), (std::set{ConnId(2), ConnId(3), ConnId(4), ConnId(6)}));
  EXPECT_EQ(change.unchoke.size(), 5u);  // four regular + one optimistic
  EXPECT_TRUE(change.choke.empty());
}

TEST(Choker, RankingChangesOnlyAtTheTenSecondBoundary) {
  Choker c({}, 1);
  c.tick(kEpoch, rates({10, 50, 30, 70, 20, 60}));
  const auto before = regular(c, 6);
  const auto reversed = rates({70, 10, 20, 10, 90, 10});
  c.tick(kEpoch + 9999ms, reversed);
  EXPECT_EQ(regular(c, 6), before);
  c.tick(kEpoch + 10s, reversed);
  EXPECT_EQ(regular(c, 6), (std::set{ConnId(1), ConnId(3), ConnId(5), ConnId(2)}));
}

TEST(Choker, AFreeSlotIsFilledAtOnceWithoutDisplacingAnyone) {
  Choker c({}, 1);
  auto n = rates({10, 50, 30});
  c.tick(kEpoch, n);
  EXPECT_FALSE(c.optimistic());   // everyone fits in the regular slots
  n = rates({10, 50, 30, 0, 0});  // two newcomers, one slot left
  c.tick(kEpoch + 1s, n);
  EXPECT_EQ(regular(c, 5), (std::set{ConnId(1), ConnId(2), ConnId(3), ConnId(4)}));
}

TEST(Choker, TheOptimisticSlotRotatesEveryThirtySeconds) {
  Choker c({}, 42);
  std::vector<NeighbourRate> n = rates({90, 80, 70, 60, 1, 1, 1, 1, 1, 1});
  c.tick(kEpoch, n);
  std::set<ConnId> seen;
  ConnId last = *c.optimistic();
  seen.insert(last);
  for (int period = 1; period <= 12; ++period) {
    c.tick(kEpoch + period * 30s - 1ms, n);
    EXPECT_EQ(c.optimistic(), last) << "rotated before 30 s";
    c.tick(kEpoch + period * 30s, n);
    ASSERT_TRUE(c.optimistic());
    EXPECT_FALSE(regular(c, 10).contains(*c.optimistic()));
    last = *c.optimistic();
    seen.insert(last);
  }
  EXPECT_GE(seen.size(), 3u);  // it really moves among the choked six
}

TEST(Choker, ANewlyUnchokedPeerThatReciprocatesEntersTheTopFour) {
  Choker c({}, 7);
  std::vector<NeighbourRate> n = rates({90, 80, 70, 60, 0});
  c.tick(kEpoch, n);
  ASSERT_EQ(c.optimistic(), ConnId(5));  // the only choked one
  n[4].bytes_per_second = 100;           // it reciprocates
  c.tick(kEpoch + 10s, n);
  EXPECT_TRUE(regular(c, 5).contains(ConnId(5)));
  EXPECT_FALSE(regular(c, 5).contains(ConnId(4)));  // the slowest made room
}

TEST(Choker, AnUplinkWithRoomOpensOneMoreSlotEverySpareInterval) {
  Choker c({}, 3);
  const auto n = rates({90, 80, 70, 60, 50, 40, 30, 20, 10});
  c.tick(kEpoch, n, UplinkLoad::spare);
  EXPECT_EQ(c.spare_slots(), 1u);
  EXPECT_TRUE(c.unchoked(ConnId(5)));  // the best one left out of the top four
  EXPECT_TRUE(c.tick(kEpoch + 999ms, n, UplinkLoad::spare).unchoke.empty());
  const auto change = c.tick(kEpoch + 1s, n, UplinkLoad::spare);
  EXPECT_EQ(c.spare_slots(), 2u);
  // The next in the ranking, unless it already holds the optimistic slot.
  const ConnId next = c.optimistic() == ConnId(6) ? ConnId(7) : ConnId(6);
  EXPECT_EQ(change.unchoke, std::vector{next});
  EXPECT_TRUE(change.choke.empty());
}

TEST(Choker, ABusyUplinkKeepsItsSpareSlots) {
  Choker c({}, 3);
  const auto n = rates({90, 80, 70, 60, 50, 40, 30});
  c.tick(kEpoch, n, UplinkLoad::spare);
  c.tick(kEpoch + 1s, n, UplinkLoad::spare);
  const auto change = c.tick(kEpoch + 2s, n, UplinkLoad::busy);
  EXPECT_EQ(c.spare_slots(), 2u);
  EXPECT_TRUE(change.unchoke.empty() && change.choke.empty());
}

TEST(Choker, ASaturatedUplinkClosesTheNewestSpareSlot) {
  Choker c({}, 3);
  const auto n = rates({90, 80, 70, 60, 50, 40, 30});
  c.tick(kEpoch, n, UplinkLoad::spare);
  const auto opened = c.tick(kEpoch + 1s, n, UplinkLoad::spare).unchoke;
  ASSERT_EQ(opened.size(), 1u);
  const auto change = c.tick(kEpoch + 2s, n, UplinkLoad::saturated);
  EXPECT_EQ(c.spare_slots(), 1u);
  EXPECT_EQ(change.choke, opened);
  EXPECT_TRUE(c.unchoked(ConnId(5)));  // the older spare slot stays
}

TEST(Choker, AViewerWithNoChunkYetGetsASpareSlotAtOnce) {
  Choker c({}, 3);
  auto n = rates({90, 80, 70, 60, 50, 0});
  n[4].interested = false;  // nobody else for the optimistic slot
  c.tick(kEpoch, n, UplinkLoad::busy);
  ASSERT_FALSE(c.unchoked(ConnId(6)) && c.optimistic() != ConnId(6));
  n.push_back({ConnId(7), 0, true, true});  // a newcomer, between spare intervals
  const auto change = c.tick(kEpoch + 100ms, n, UplinkLoad::busy);
  EXPECT_TRUE(std::ranges::find(change.unchoke, ConnId(7)) != change.unchoke.end());
  EXPECT_EQ(c.spare_slots(), 1u);
}

TEST(Choker, ASaturatedUplinkLetsNoNewcomerIn) {
  Choker c({}, 3);
  auto n = rates({90, 80, 70, 60, 0});
  n[4].interested = false;
  c.tick(kEpoch, n, UplinkLoad::saturated);
  n.push_back({ConnId(6), 0, true, true});
  n.push_back({ConnId(7), 0, true, true});
  c.tick(kEpoch + 100ms, n, UplinkLoad::saturated);
  EXPECT_EQ(c.spare_slots(), 0u);
}

TEST(Choker, SpareSlotsAreCappedAtMaxSpareSlots) {
  Choker c({.max_spare_slots = 2}, 3);
  const auto n = rates({90, 80, 70, 60, 50, 40, 30, 20, 10});
  for (int s = 0; s < 5; ++s) c.tick(kEpoch + s * 1s, n, UplinkLoad::spare);
  EXPECT_EQ(c.spare_slots(), 2u);
}

TEST(Choker, SpareSlotsFollowTheRankingAtEachRechoke) {
  Choker c({.max_spare_slots = 1}, 3);
  auto n = rates({90, 80, 70, 60, 50, 0, 0});
  n[5].interested = n[6].interested = false;  // nobody left for the optimistic slot
  c.tick(kEpoch, n, UplinkLoad::spare);
  ASSERT_TRUE(c.unchoked(ConnId(5)));
  n[6] = {ConnId(7), 200, true};  // 7 now sends the most
  c.tick(kEpoch + 9s, n, UplinkLoad::busy);
  EXPECT_FALSE(c.unchoked(ConnId(7)));  // only a free slot is filled between rechokes
  c.tick(kEpoch + 10s, n, UplinkLoad::busy);
  EXPECT_EQ(c.spare_slots(), 1u);
  EXPECT_TRUE(c.unchoked(ConnId(7)));
  EXPECT_TRUE(c.unchoked(ConnId(4)));   // out of the top four, into the spare slot
  EXPECT_FALSE(c.unchoked(ConnId(5)));  // last in the ranking
}

TEST(Choker, AFreeRiderGetsNoSpareSlotHoweverIdleTheUplink) {
  Choker c({}, 3);
  const auto n = rates({90, 80, 70, 60, 0, 0});  // 5 and 6 upload nothing to us
  for (auto t = 0s; t <= 20s; t += 1s) c.tick(kEpoch + t, n, UplinkLoad::spare);
  EXPECT_EQ(c.spare_slots(), 0u);
  EXPECT_NE(c.unchoked(ConnId(5)), c.unchoked(ConnId(6)));  // one holds the optimistic slot
}

TEST(Choker, ANewcomerGetsASpareSlotBeforeItCouldHaveReciprocated) {
  Choker c({}, 3);
  auto n = rates({90, 80, 70, 60, 0, 0});
  n[4].newcomer = n[5].newcomer = true;
  c.tick(kEpoch, n, UplinkLoad::spare);
  c.tick(kEpoch + 1s, n, UplinkLoad::spare);
  EXPECT_TRUE(c.unchoked(ConnId(5)));
  EXPECT_TRUE(c.unchoked(ConnId(6)));
}

TEST(Choker, ASlowSenderGetsASpareSlotAheadOfFreeRiders) {
  Choker c({.max_spare_slots = 2}, 3);
  // 5 and 6 upload nothing to us; 7 does.
  const auto n = rates({90, 80, 70, 60, 0, 0, 5});
  c.tick(kEpoch, n, UplinkLoad::spare);
  EXPECT_TRUE(c.unchoked(ConnId(7)));
}

}  // namespace
}  // namespace shoal
