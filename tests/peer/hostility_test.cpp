// How a hostile viewer bends what its honest engine sends, what it sends of
// its own, and when it counts a neighbour as offended.
#include "peer/hostility.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "overlay/wire/push_messages.h"
#include "peer/stripe_tree.h"
#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;
using testing::shared_chunk;

const ConnId kViewer(3);
const PeerId kViewerId(103);

// Hostility of `kind` that `viewers` (conn n is peer 100 + n, listening on
// 7000 + n) have greeted.
Hostility greeted(Offence kind, std::initializer_list<uint64_t> viewers = {3}) {
  Hostility h(kind, 1);
  for (const uint64_t c : viewers) {
    h.heard(ConnId(c),
            Hello{kProtocolVersion, {}, PeerId(100 + c), static_cast<uint16_t>(7000 + c)}, kEpoch);
  }
  return h;
}

std::vector<PeerId> offended_ids(const Hostility& h) {
  std::vector<PeerId> out;
  for (const auto& o : h.offended()) out.push_back(o.peer);
  return out;
}

// Per receiving connection, the messages of type M in `actions`.
template <typename M>
std::map<ConnId, std::vector<M>> sent(const Actions& actions) {
  std::map<ConnId, std::vector<M>> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (const auto* m = send ? std::get_if<M>(&send->msg) : nullptr) out[send->to].push_back(*m);
  }
  return out;
}

StripesMsg room_everywhere() {
  return {.home = 0,
          .depth = {1, 1, 1, 1},
          .takes = {0, 0, 0, 0},
          .pushing = 0b1111,
          .slots = 5,
          .ancestors = std::vector<uint64_t>(kStripes, 0)};
}

TEST(Hostility, ForgerFlipsAByteOfEveryPieceItUploads) {
  Hostility h = greeted(Offence::forge);
  const auto chunk = shared_chunk(testing::test_key(), 4, true, 4 * 188);
  const std::vector<uint8_t> original = chunk->payload;
  size_t pieces = 0;
  for (Message m : push_messages(chunk)) {
    if (!std::holds_alternative<PieceMsg>(m)) continue;
    ++pieces;
    const auto index = std::get<PieceMsg>(m).index;
    const auto honest = piece_of(chunk->payload, index);
    ASSERT_TRUE(h.bend(kViewer, m, kEpoch));
    const auto data = std::get<PieceMsg>(m).data();
    ASSERT_EQ(data.size(), honest.size());
    EXPECT_FALSE(std::ranges::equal(data, honest)) << "piece " << index;
    EXPECT_EQ(std::ranges::mismatch(data, honest).in1 - data.begin(), data.size() / 2);
  }
  EXPECT_GE(pieces, kStripes);
  EXPECT_EQ(chunk->payload, original) << "the chunk it holds is untouched";
  EXPECT_EQ(offended_ids(h), std::vector{kViewerId});
}

TEST(Hostility, ForgerFlipsAByteOfEveryWholeChunkItUploads) {
  Hostility h = greeted(Offence::forge);
  const auto chunk = shared_chunk(testing::test_key(), 4);
  Message m = ChunkMsg{chunk};
  ASSERT_TRUE(h.bend(kViewer, m, kEpoch));
  EXPECT_NE(std::get<ChunkMsg>(m).chunk->payload, chunk->payload);
  EXPECT_EQ(chunk->payload, std::vector<uint8_t>(188, 4)) << "the chunk it holds is untouched";
}

TEST(Hostility, LiarClaimsEveryChunkUpToItsNewestAndSendsNoData) {
  Hostility h = greeted(Offence::liar);
  // It holds 0, 3 and 9 of a 16-chunk window.
  Message map = BufferMapMsg{.base_seq = ChunkSeq(100), .count = 16, .have = {0b0000'1001, 0b10}};
  ASSERT_TRUE(h.bend(kViewer, map, kEpoch));
  EXPECT_EQ(std::get<BufferMapMsg>(map).have, (std::vector<uint8_t>{0xff, 0b11}))
      << "0..9 claimed, none beyond";

  const auto chunk = shared_chunk(testing::test_key(), 100);
  for (Message m : push_messages(chunk, true)) EXPECT_FALSE(h.bend(kViewer, m, kEpoch));
  Message whole = ChunkMsg{chunk}, reject = RejectMsg{ChunkSeq(100)};
  EXPECT_FALSE(h.bend(kViewer, whole, kEpoch));
  EXPECT_FALSE(h.bend(kViewer, reject, kEpoch));
  Message have = HaveMsg{{ChunkSeq(101)}, {}};
  EXPECT_TRUE(h.bend(kViewer, have, kEpoch)) << "what is not data goes out";

  Message stripes = room_everywhere();
  ASSERT_TRUE(h.bend(kViewer, stripes, kEpoch));
  const auto& s = std::get<StripesMsg>(stripes);
  EXPECT_EQ(s.slots, 0);
  EXPECT_EQ(s.pushing, 0);
  EXPECT_TRUE(std::ranges::all_of(s.takes, [](uint8_t t) { return t >= kTakesNobody; }));
}

TEST(Hostility, SlowTricklesItsUplink) {
  const Hostility slow(Offence::slow, 1);
  EXPECT_DOUBLE_EQ(slow.uplink(240000), 9600);
  EXPECT_DOUBLE_EQ(slow.uplink(0), 8000) << "no limit asked: 8 kB/s";
  for (const Offence kind : {Offence::forge, Offence::liar, Offence::flood, Offence::garbage}) {
    EXPECT_DOUBLE_EQ(Hostility(kind, 1).uplink(240000), 240000) << offence_name(kind);
    EXPECT_DOUBLE_EQ(Hostility(kind, 1).uplink(0), 0) << offence_name(kind);
  }
}

TEST(Hostility, SlowSendsItsDataButTakesNoChildren) {
  Hostility h = greeted(Offence::slow);
  for (Message m : push_messages(shared_chunk(testing::test_key(), 1), true))
    EXPECT_TRUE(h.bend(kViewer, m, kEpoch));
  Message stripes = room_everywhere();
  ASSERT_TRUE(h.bend(kViewer, stripes, kEpoch));
  EXPECT_EQ(std::get<StripesMsg>(stripes).slots, 0);
  EXPECT_EQ(std::get<StripesMsg>(stripes).takes, std::vector<uint8_t>(kStripes, kTakesNobody));
}

TEST(Hostility, FlooderSendsThreeHundredRequestsPerViewerEachTick) {
  Hostility h = greeted(Offence::flood, {3, 4});
  EXPECT_TRUE(h.tick(std::nullopt, kEpoch).empty()) << "nothing to ask around yet";
  const auto requests = sent<RequestMsg>(h.tick(ChunkSeq(50), kEpoch + 100ms));
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& [conn, rs] : requests) {
    EXPECT_EQ(rs.size(), 300u);
    for (const RequestMsg& r : rs) {
      EXPECT_LE(r.seq.value, 50u);
      EXPECT_GE(r.seq.value, 20u);
    }
  }
  EXPECT_EQ(sent<RequestMsg>(h.tick(ChunkSeq(51), kEpoch + 200ms)).at(ConnId(4)).size(), 300u);
  EXPECT_EQ(offended_ids(h), (std::vector{PeerId(103), PeerId(104)}));
}

TEST(Hostility, FlooderDialsAViewerThatDroppedItAgainEveryHalfSecond) {
  Hostility h = greeted(Offence::flood);
  h.closed(kViewer, "10.0.0.3", kEpoch);
  const auto dials = [&](WallTime at) {
    std::vector<Endpoint> out;
    for (const auto& a : h.tick(ChunkSeq(50), at)) {
      if (const auto* d = std::get_if<DialAction>(&a)) out.push_back(d->to);
    }
    return out;
  };
  EXPECT_TRUE(dials(kEpoch + 400ms).empty());
  EXPECT_EQ(dials(kEpoch + 500ms), (std::vector<Endpoint>{{"10.0.0.3", 7003}}));
  EXPECT_TRUE(dials(kEpoch + 900ms).empty());
  int more = 0;
  for (int i = 2; i < 40; ++i) more += static_cast<int>(dials(kEpoch + i * 500ms).size());
  EXPECT_EQ(more, 19) << "20 times in all";
  h.heard(kViewer, Hello{kProtocolVersion, {}, kViewerId, 7003}, kEpoch + 20s);
  h.closed(kViewer, "10.0.0.3", kEpoch + 20s);  // the last redial, dropped again
  for (int i = 41; i < 80; ++i) more += static_cast<int>(dials(kEpoch + i * 500ms).size());
  EXPECT_EQ(more, 19) << "and not again";
}

TEST(Hostility, GarbageSendsAMalformedMessageEveryHalfSecond) {
  Hostility h = greeted(Offence::garbage, {3, 4});
  const auto sends = [&](WallTime at) {
    std::map<ConnId, int> out;
    for (const auto& a : h.tick(ChunkSeq(50), at)) {
      if (const auto* s = std::get_if<SendAction>(&a)) ++out[s->to];
    }
    return out;
  };
  EXPECT_EQ(sends(kEpoch), (std::map<ConnId, int>{{ConnId(3), 1}, {ConnId(4), 1}}));
  EXPECT_TRUE(sends(kEpoch + 100ms).empty());
  EXPECT_TRUE(sends(kEpoch + 400ms).empty());
  EXPECT_EQ(sends(kEpoch + 500ms), (std::map<ConnId, int>{{ConnId(3), 1}, {ConnId(4), 1}}));
  EXPECT_EQ(offended_ids(h), (std::vector{PeerId(103), PeerId(104)}));
  // Each is malformed or out of place: a map without its bits, STRIPES
  // without stripes, a tracker's ANNOUNCE.
  for (int i = 0; i < 3; ++i) {
    for (const auto& a : h.tick(ChunkSeq(50), kEpoch + (2 + i) * 1s)) {
      const Message& m = std::get<SendAction>(a).msg;
      if (const auto* map = std::get_if<BufferMapMsg>(&m)) {
        EXPECT_LT(map->have.size() * 8, map->count);
      } else if (const auto* s = std::get_if<StripesMsg>(&m)) {
        EXPECT_NE(s->depth.size(), kStripes);
      } else {
        EXPECT_TRUE(std::holds_alternative<AnnounceMsg>(m)) << message_name(m);
      }
    }
  }
}

TEST(Hostility, ALiarOffendsWhenARequestRunsOutNotWhenCancelledEarly) {
  Hostility h = greeted(Offence::liar);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 1000}, kEpoch);
  h.heard(kViewer, CancelMsg{ChunkSeq(5)}, kEpoch + 100ms);  // it came from elsewhere
  h.tick(std::nullopt, kEpoch + 5s);
  EXPECT_TRUE(h.offended().empty());

  const WallTime asked = kEpoch + 6s;
  h.heard(kViewer, RequestMsg{ChunkSeq(6), 1000}, asked);  // never cancelled
  h.tick(std::nullopt, asked + 1100ms);
  EXPECT_TRUE(h.offended().empty()) << "within the slack past its wait";
  h.tick(std::nullopt, asked + 1200ms);
  ASSERT_EQ(h.offended().size(), 1u);
  EXPECT_EQ(h.offended()[0].peer, kViewerId);
  EXPECT_EQ(h.offended()[0].at, asked + 1200ms);
}

TEST(Hostility, ACancelLateInAShortWaitIsNoOffenceUnlessAtItsEnd) {
  // A repair asked for just before its deadline came from elsewhere.
  Hostility h = greeted(Offence::liar);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 146}, kEpoch);
  h.heard(kViewer, CancelMsg{ChunkSeq(5)}, kEpoch + 109ms);
  h.heard(kViewer, RequestMsg{ChunkSeq(6), 146}, kEpoch + 1s);
  h.heard(kViewer, CancelMsg{ChunkSeq(6)}, kEpoch + 1s + 140ms);
  ASSERT_EQ(h.offended().size(), 1u);
  EXPECT_EQ(h.offended()[0].at, kEpoch + 1s + 140ms);
}

TEST(Hostility, ARequestPendingWhenTheLiarChokedItsViewerIsNoOffence) {
  // The viewer forgets it, as BitTorrent's CHOKE says, and sends no CANCEL.
  Hostility h = greeted(Offence::liar);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 1000}, kEpoch);
  Message choke = ChokeMsg{};
  EXPECT_TRUE(h.bend(kViewer, choke, kEpoch + 100ms));
  h.tick(std::nullopt, kEpoch + 5s);
  EXPECT_TRUE(h.offended().empty());
}

// The slow one's first piece of chunk `seq` to kViewer.
void begin_to_send(Hostility& h, ChunkSeq seq, WallTime now) {
  for (Message m : push_messages(shared_chunk(testing::test_key(), seq.value))) {
    if (std::holds_alternative<PieceMsg>(m)) {
      ASSERT_TRUE(h.bend(kViewer, m, now));
      return;
    }
  }
}

TEST(Hostility, ACancelAsTheWaitForARequestItTrickledRunsOutIsAnOffence) {
  Hostility h = greeted(Offence::slow);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 1000}, kEpoch);
  begin_to_send(h, ChunkSeq(5), kEpoch + 100ms);
  h.heard(kViewer, CancelMsg{ChunkSeq(5)}, kEpoch + 950ms);  // its timeout, not the chunk
  ASSERT_EQ(h.offended().size(), 1u);
  EXPECT_EQ(h.offended()[0].at, kEpoch + 950ms);
}

TEST(Hostility, ARequestTheSlowOneHeldQueuedIsNoOffence) {
  // Its REJECT comes after the CANCEL, as a busy honest viewer's may.
  Hostility h = greeted(Offence::slow);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 1000}, kEpoch);
  h.heard(kViewer, CancelMsg{ChunkSeq(5)}, kEpoch + 1s);
  EXPECT_TRUE(h.offended().empty());
}

TEST(Hostility, ARequestTheSlowOneTurnedAwayIsNoOffence) {
  Hostility h = greeted(Offence::slow);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 1000}, kEpoch);
  Message reject = RejectMsg{ChunkSeq(5)};
  EXPECT_TRUE(h.bend(kViewer, reject, kEpoch + 900ms));
  h.tick(std::nullopt, kEpoch + 5s);
  EXPECT_TRUE(h.offended().empty());
}

TEST(Hostility, ARequestTheSlowOneFinishedInTimeIsNoOffence) {
  Hostility h = greeted(Offence::slow);
  h.heard(kViewer, RequestMsg{ChunkSeq(5), 3000}, kEpoch);  // no CANCEL: it all came
  h.tick(std::nullopt, kEpoch + 5s);
  EXPECT_TRUE(h.offended().empty());
}

TEST(Hostility, OnlyTheFirstOffenceAgainstAViewerIsNoted) {
  Hostility h = greeted(Offence::garbage);
  h.tick(std::nullopt, kEpoch);
  h.tick(std::nullopt, kEpoch + 1s);
  ASSERT_EQ(h.offended().size(), 1u);
  EXPECT_EQ(h.offended()[0].at, kEpoch);
}

}  // namespace
}  // namespace shoal
