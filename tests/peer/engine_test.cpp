// The viewer engine, driven with messages and a fake clock: it starts at the
// newest random-access chunk, plays verified chunks on time, and drops and
// bans any sender of a chunk whose signature does not hold.
#include "peer/engine.h"

#include <gtest/gtest.h>

#include <set>

#include "overlay/wire/push_messages.h"
#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;
using testing::make_chunk;
using testing::shared_chunk;

const ConnId kSource(1);
const Endpoint kSourceAt{"127.0.0.1", 7000};

template <typename T>
std::vector<T> only(const Actions& actions) {
  std::vector<T> out;
  for (const auto& a : actions) {
    if (const auto* x = std::get_if<T>(&a)) out.push_back(*x);
  }
  return out;
}

std::vector<ChunkSeq> requested(const Actions& actions) {
  std::vector<ChunkSeq> seqs;
  for (const auto& send : only<SendAction>(actions)) {
    if (const auto* r = std::get_if<RequestMsg>(&send.msg)) seqs.push_back(r->seq);
  }
  return seqs;
}

class EngineTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  std::unique_ptr<PeerEngine> engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5)});

  static std::unique_ptr<PeerEngine> make(PeerConfig config) {
    return std::make_unique<PeerEngine>(config);
  }
  WallTime now_ = kEpoch + 5000ms;

  // The source holds chunks [0, count); every fourth one is random-access.
  // Its clock and ours agree.
  Actions join_source(uint64_t count) {
    const Actions greeting = engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
    engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
    answer_time(kSource, greeting, now_);
    BufferMap map;
    for (uint64_t s = 0; s < count; ++s) map.add(ChunkSeq(s), s % 4 == 0);
    return engine_->on_message(kSource, map.to_message(ChunkSeq(0), 120), now_);
  }

  // `from` answers the TIME_QUERY in `sent`, reading `reads` on its clock.
  void answer_time(ConnId from, const Actions& sent, WallTime reads) {
    for (const auto& send : only<SendAction>(sent)) {
      if (const auto* q = std::get_if<TimeQueryMsg>(&send.msg); q && send.to == from) {
        const int64_t at = reads.time_since_epoch().count();
        engine_->on_message(from, TimeReplyMsg{q->sent, at, at, 0}, now_);
      }
    }
  }

  // A viewer we dialled on `conn` greets as `id`.
  void dialled_viewer(ConnId conn, PeerId id) {
    engine_->on_connected(conn, LinkKind::dialled, Endpoint{"127.0.0.1", 7002}, now_);
    engine_->on_message(conn, Hello{kProtocolVersion, key_.channel(), id, 7002}, now_);
  }

  // The source makes stripe 0 our home but takes nobody in any stripe.
  void home_without_room() {
    engine_->on_message(
        kSource,
        StripesMsg{.home = kStripes,
                   .depth = {0, 0, 0, 0},
                   .takes = {kTakesNobody, kTakesNobody, kTakesNobody, kTakesNobody},
                   .your_home = 0,
                   .slots = 4,
                   .ancestors = {0, 0, 0, 0}},
        now_);
  }

  // `liar` claims every chunk there is, and a few the source has yet to
  // tell, and unchokes us; the source sends chunk 4, which we start from.
  void claim_all(ConnId liar) {
    BufferMap map;
    for (uint64_t s = 0; s < 16; ++s) map.add(ChunkSeq(s), s % 4 == 0);
    engine_->on_message(liar, map.to_message(ChunkSeq(0), 120), now_);
    engine_->on_message(liar, UnchokeMsg{}, now_);
    engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 4)}, now_);
  }

  // `n` viewers connect and greet; they are connections 2, 3, ...
  std::vector<ConnId> greet_viewers(uint64_t n) {
    std::vector<ConnId> viewers;
    for (uint64_t i = 0; i < n; ++i) {
      const ConnId v(2 + i);
      engine_->on_connected(v, LinkKind::accepted, Endpoint{"127.0.0.1", uint16_t(50001 + i)}, now_);
      engine_->on_message(v, Hello{kProtocolVersion, key_.channel(), PeerId(7 + i), 7001}, now_);
      viewers.push_back(v);
    }
    return viewers;
  }
};

TEST_F(EngineTest, GreetsWithHelloItsBufferMapAndAskingTheTime) {
  const auto sends =
      only<SendAction>(engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_));
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Hello>(sends[0].msg));
  EXPECT_TRUE(std::holds_alternative<BufferMapMsg>(sends[1].msg));
  EXPECT_TRUE(std::holds_alternative<TimeQueryMsg>(sends[2].msg));
}

TEST_F(EngineTest, ProbesTheNewestRandomAccessChunkFirst) {
  const auto seqs = requested(join_source(10));  // random-access: 0, 4, 8
  EXPECT_EQ(seqs, (std::vector{ChunkSeq(8)}));
  EXPECT_FALSE(engine_->playout().started());
}

TEST_F(EngineTest, StartsAtTheOldestRandomAccessChunkStillInTime) {
  join_source(10);
  now_ = kEpoch + 4000ms;  // chunk s is due at kEpoch + 500 ms * s + 3 s
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  // 4 is due at kEpoch + 5 s, more than start_margin ahead; 0 is past.
  EXPECT_EQ(engine_->playout().cursor(), ChunkSeq(4));
}

TEST_F(EngineTest, PlaysAVerifiedChunkAtItsDeadline) {
  join_source(10);
  EXPECT_TRUE(
      only<PlayAction>(engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_)).empty());
  const WallTime due = kEpoch + 4000ms + 3000ms;
  EXPECT_EQ(engine_->next_wakeup(now_), now_);  // its HAVE is due
  engine_->tick(now_);
  EXPECT_EQ(engine_->next_wakeup(now_), std::min(due, now_ + 100ms));
  const auto plays = only<PlayAction>(engine_->tick(due));
  ASSERT_EQ(plays.size(), 1u);
  EXPECT_EQ(plays[0].chunk->seq, ChunkSeq(8));
  EXPECT_EQ(engine_->stats().chunks_on_time, 1u);
  EXPECT_EQ(engine_->stats().lag_ms, std::vector<int64_t>{3000});
}

TEST_F(EngineTest, RejectsAChunkWithAFlippedPayloadByteAndBansTheSender) {
  join_source(10);
  Chunk bad = make_chunk(key_, 8);
  bad.payload[100] ^= 0x01;
  const auto drops = only<DisconnectAction>(engine_->on_message(kSource, ChunkMsg{std::make_shared<const Chunk>(bad)}, now_));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].conn, kSource);
  EXPECT_TRUE(drops[0].ban);
  EXPECT_NE(drops[0].reason.find("bad signature"), std::string::npos);
  EXPECT_EQ(engine_->stats().chunks_rejected, 1u);
  EXPECT_FALSE(engine_->store().has(ChunkSeq(8)));
}

TEST_F(EngineTest, RejectsAChunkSignedByAnotherKey) {
  join_source(10);
  const ChannelKey impostor = testing::test_key(2);
  const auto drops =
      only<DisconnectAction>(engine_->on_message(kSource, ChunkMsg{shared_chunk(impostor, 8)}, now_));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_TRUE(drops[0].ban);
  EXPECT_EQ(engine_->stats().chunks_rejected, 1u);
  EXPECT_FALSE(engine_->store().has(ChunkSeq(8)));
}

TEST_F(EngineTest, DropsAPeerThatSpeaksBeforeHello) {
  engine_->on_connected(ConnId(2), LinkKind::accepted, Endpoint{"127.0.0.1", 50000}, now_);
  const auto drops =
      only<DisconnectAction>(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(1)}, now_));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_FALSE(drops[0].ban);
}

TEST_F(EngineTest, DropsAndBansAHelloForAnotherChannel) {
  engine_->on_connected(ConnId(2), LinkKind::accepted, Endpoint{"127.0.0.1", 50000}, now_);
  const auto drops = only<DisconnectAction>(engine_->on_message(
      ConnId(2), Hello{kProtocolVersion, testing::test_key(3).channel(), PeerId(9), 0}, now_));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_TRUE(drops[0].ban);
}

TEST_F(EngineTest, ReissuesARequestThatTimedOut) {
  join_source(10);
  const auto actions = engine_->tick(now_ + 2000ms);
  bool cancelled = false;
  for (const auto& send : only<SendAction>(actions)) {
    cancelled |= std::holds_alternative<CancelMsg>(send.msg);
  }
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(requested(actions), (std::vector{ChunkSeq(8)}));
}

TEST_F(EngineTest, ServesARequestedChunkItHolds) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId viewer(2);
  engine_->on_connected(viewer, LinkKind::accepted, Endpoint{"127.0.0.1", 50001}, now_);
  engine_->on_message(viewer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  engine_->tick(now_);  // the choker unchokes the interested newcomer
  const auto sends = only<SendAction>(engine_->on_message(viewer, RequestMsg{ChunkSeq(8)}, now_));
  // Its head, then its pieces, every stripe.
  ASSERT_GE(sends.size(), 1u + kStripes);
  EXPECT_EQ(std::get<ChunkHeadMsg>(sends[0].msg).head.seq, ChunkSeq(8));
  uint8_t stripes = 0;
  for (size_t i = 1; i < sends.size(); ++i)
    stripes |= static_cast<uint8_t>(1u << stripe_of(std::get<PieceMsg>(sends[i].msg).index));
  EXPECT_EQ(stripes, kAllStripes);
}

TEST_F(EngineTest, ServesARepairOfSomeStripesWithTheirPiecesOnly) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId viewer = greet_viewers(1)[0];
  engine_->tick(now_);
  const auto sends = only<SendAction>(
      engine_->on_message(viewer, RequestMsg{ChunkSeq(8), 0, 0b0100}, now_));
  ASSERT_EQ(sends.size(), 2u);  // the head and the one piece of stripe 2
  EXPECT_TRUE(std::holds_alternative<ChunkHeadMsg>(sends[0].msg));
  EXPECT_EQ(stripe_of(std::get<PieceMsg>(sends[1].msg).index), 2u);
}

TEST_F(EngineTest, RejectsARequestFromANeighbourItChokes) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId viewer(2);
  engine_->on_connected(viewer, LinkKind::accepted, Endpoint{"127.0.0.1", 50001}, now_);
  engine_->on_message(viewer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  const auto sends = only<SendAction>(engine_->on_message(viewer, RequestMsg{ChunkSeq(8)}, now_));
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(std::get<RejectMsg>(sends[0].msg).seq, ChunkSeq(8));
}

// Whether `sends` answer a request with the chunk (its head first).
bool serves(const std::vector<SendAction>& sends) {
  return !sends.empty() && std::holds_alternative<ChunkHeadMsg>(sends[0].msg);
}

TEST_F(EngineTest, RejectsARequestItsUplinkCouldNotStartWithinMaxUploadWait) {
  // 188-byte test chunks at 752 bytes/s: each one takes the uplink 250 ms.
  engine_ = make({.channel = key_.channel(), .self = PeerId(5), .upload = {.bytes_per_second = 752}});
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const std::vector<ConnId> viewers = greet_viewers(3);
  engine_->tick(now_);  // the interested newcomers are unchoked
  EXPECT_TRUE(serves(only<SendAction>(engine_->on_message(viewers[0], RequestMsg{ChunkSeq(8), 1000}, now_))));
  // The second starts 250 ms from now, within max_upload_wait (300 ms), and
  // is through well within the second its requester waits.
  EXPECT_TRUE(only<SendAction>(engine_->on_message(viewers[1], RequestMsg{ChunkSeq(8), 1000}, now_)).empty());
  // The third would start 500 ms from now.
  const auto third =
      only<SendAction>(engine_->on_message(viewers[2], RequestMsg{ChunkSeq(8), 1000}, now_));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(std::get<RejectMsg>(third[0].msg).seq, ChunkSeq(8));
  // Once the first has left, the uplink takes requests again.
  EXPECT_TRUE(serves(only<SendAction>(engine_->on_chunk_sent(viewers[0], now_ + 250ms))));
  EXPECT_TRUE(
      only<SendAction>(engine_->on_message(viewers[2], RequestMsg{ChunkSeq(8), 1000}, now_ + 250ms))
          .empty());
}

TEST_F(EngineTest, QueuesARequestForAChunkTheSourcePushedEvenOnABusyUplink) {
  // 250 ms per chunk, as above.
  engine_ = make({.channel = key_.channel(), .self = PeerId(5), .upload = {.bytes_per_second = 752}});
  join_source(10);  // which requests chunk 8, the newest start point
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 10)}, now_);  // pushed, unasked
  const std::vector<ConnId> viewers = greet_viewers(3);
  engine_->tick(now_);
  engine_->on_message(viewers[0], RequestMsg{ChunkSeq(8)}, now_);  // in the uplink
  engine_->on_message(viewers[1], RequestMsg{ChunkSeq(8)}, now_);  // queued behind it
  const auto common =
      only<SendAction>(engine_->on_message(viewers[2], RequestMsg{ChunkSeq(8)}, now_));
  ASSERT_EQ(common.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<RejectMsg>(common[0].msg));
  // Nobody else can pass chunk 10 on yet: its requester waits, first in line.
  EXPECT_TRUE(only<SendAction>(engine_->on_message(viewers[2], RequestMsg{ChunkSeq(10), 2000}, now_))
                  .empty());
  const auto next = only<SendAction>(engine_->on_chunk_sent(viewers[0], now_ + 250ms));
  ASSERT_TRUE(serves(next));
  EXPECT_EQ(next[0].to, viewers[2]);
  EXPECT_EQ(std::get<ChunkHeadMsg>(next[0].msg).head.seq, ChunkSeq(10));
}

// Seqs of the chunks pushed to `to` in `actions` (a CHUNK_HEAD each).
std::vector<ChunkSeq> pushed_to(ConnId to, const Actions& actions) {
  std::vector<ChunkSeq> seqs;
  for (const auto& send : only<SendAction>(actions)) {
    if (const auto* h = std::get_if<ChunkHeadMsg>(&send.msg); h && send.to == to)
      seqs.push_back(h->head.seq);
  }
  return seqs;
}

// Pieces sent to `to` in `actions`.
std::vector<PieceMsg> pieces_to(ConnId to, const Actions& actions) {
  std::vector<PieceMsg> out;
  for (const auto& send : only<SendAction>(actions)) {
    if (const auto* p = std::get_if<PieceMsg>(&send.msg); p && send.to == to) out.push_back(*p);
  }
  return out;
}

class PushTest : public EngineTest {
 protected:
  // The source says it roots every stripe; the engine subscribes to it and
  // is taken in every stripe: a parent with a depth, which takes children.
  void under_the_source() {
    StripesMsg root{.home = kStripes,
                    .depth = {0, 0, 0, 0},
                    .takes = {0, 0, 0, 0},
                    .your_home = 0,
                    .slots = 4,
                    .ancestors = {0, 0, 0, 0}};
    Actions out = engine_->on_message(kSource, root, now_);
    for (Action& a : engine_->tick(now_)) out.push_back(std::move(a));
    for (const auto& send : only<SendAction>(out)) {
      if (const auto* sub = std::get_if<SubscribeMsg>(&send.msg); sub && send.to == kSource) {
        root.pushing = sub->stripes;
        root.answer = sub->ask;
      }
    }
    ASSERT_EQ(root.pushing, kAllStripes);
    engine_->on_message(kSource, root, now_);
  }
  // `viewer` asks to be pushed every stripe and every head.
  uint8_t adopt(ConnId viewer) {
    const auto sends = only<SendAction>(engine_->on_message(
        viewer, SubscribeMsg{.stripes = kAllStripes, .heads = true, .home = 1, .slots = 5, .ask = 1},
        now_));
    for (const auto& send : sends) {
      if (const auto* m = std::get_if<StripesMsg>(&send.msg); m && send.to == viewer) return m->pushing;
    }
    return 0;
  }
  // `viewer` offers room in every stripe at depth 1, and pushes what the
  // engine subscribes to (200 ms on): those stripes.
  uint8_t become_parent(ConnId viewer) {
    StripesMsg offer{.home = 1, .depth = {1, 1, 1, 1}, .takes = {0, 0, 0, 0}, .slots = 4,
                     .ancestors = {0, 0, 0, 0}};
    Actions out = engine_->on_message(viewer, offer, now_);
    for (Action& a : engine_->tick(now_ + 100ms)) out.push_back(std::move(a));
    for (const auto& send : only<SendAction>(out)) {
      if (const auto* sub = std::get_if<SubscribeMsg>(&send.msg); sub && send.to == viewer) {
        offer.pushing = sub->stripes;
        offer.answer = sub->ask;
      }
    }
    engine_->on_message(viewer, offer, now_ + 200ms);
    return offer.pushing;
  }
  // `from` pushes chunk `seq`: its head, then its pieces; what the engine did.
  Actions push(ConnId from, uint64_t seq, WallTime at) {
    Actions all;
    for (const Message& m : push_messages(shared_chunk(key_, seq, true, 40'000))) {
      for (Action& a : engine_->on_message(from, m, at)) all.push_back(std::move(a));
    }
    return all;
  }
};

TEST_F(PushTest, PassesEachPieceOfAPushedChunkOnAsItArrivesToANeighbourThatLacksIt) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);  // asked: the start
  under_the_source();
  const ConnId viewer = greet_viewers(1)[0];
  ASSERT_EQ(adopt(viewer), kAllStripes);
  const auto messages = push_messages(shared_chunk(key_, 10, true, 40'000));
  ASSERT_GT(messages.size(), 1u + kStripes);
  EXPECT_EQ(pushed_to(viewer, engine_->on_message(kSource, messages[0], now_)),
            std::vector{ChunkSeq(10)});
  for (size_t i = 1; i < messages.size(); ++i) {
    const auto on = pieces_to(viewer, engine_->on_message(kSource, messages[i], now_));
    ASSERT_EQ(on.size(), 1u) << "piece " << i - 1;
    EXPECT_EQ(on[0].index, i - 1);
    EXPECT_FALSE(on[0].repair);  // ahead of requested data and catch-ups
  }
  EXPECT_TRUE(engine_->store().has(ChunkSeq(10)));
}

TEST_F(PushTest, ANewParentCatchesAChildThatMovedUpOnAChunkUnderWayBehindItsPushesButNotANewcomer) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  under_the_source();
  const std::vector<ConnId> viewers = greet_viewers(2);
  BufferMap eight;
  eight.add(ChunkSeq(8), false);
  engine_->on_message(viewers[0], eight.to_message(ChunkSeq(0), 120), now_);  // it moved
  // Chunk 10 is coming in: its head and two pieces so far.
  const auto messages = push_messages(shared_chunk(key_, 10, true, 40'000));
  for (size_t i = 0; i < 3; ++i) engine_->on_message(kSource, messages[i], now_);
  const auto subscribe = [&](ConnId viewer) {
    return engine_->on_message(viewer,
                               SubscribeMsg{.stripes = kAllStripes, .heads = true, .home = 1,
                                            .slots = 5, .ask = 1, .from = ChunkSeq(9)},
                               now_);
  };
  const Actions moved = subscribe(viewers[0]);
  EXPECT_EQ(pushed_to(viewers[0], moved), std::vector{ChunkSeq(10)});
  const auto pieces = pieces_to(viewers[0], moved);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].index, 0u);
  EXPECT_EQ(pieces[1].index, 1u);
  // Behind what is pushed down the trees to every child.
  for (const PieceMsg& p : pieces) EXPECT_TRUE(p.repair);
  // A newcomer pulls its start rather than wait for chunks under way.
  EXPECT_TRUE(pieces_to(viewers[1], subscribe(viewers[1])).empty());
}

TEST_F(PushTest, PushesNothingTooCloseToItsDeadlineOrToANeighbourThatHoldsIt) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  under_the_source();
  const std::vector<ConnId> viewers = greet_viewers(2);
  for (const ConnId v : viewers) ASSERT_EQ(adopt(v), kAllStripes);
  BufferMap ten;
  ten.add(ChunkSeq(10), false);
  engine_->on_message(viewers[1], ten.to_message(ChunkSeq(0), 120), now_);
  const Actions pushed = push(kSource, 10, now_);
  EXPECT_EQ(pushed_to(viewers[0], pushed), std::vector{ChunkSeq(10)});
  EXPECT_TRUE(pushed_to(viewers[1], pushed).empty());  // it holds chunk 10
  // Chunk 11 (due at 8.5 s) is passed on at 8.1 s; chunk 12 (due at 9 s) not
  // at 8.8 s, within relay_before (300 ms) of its deadline.
  EXPECT_EQ(pushed_to(viewers[0], push(kSource, 11, now_ + 3100ms)), std::vector{ChunkSeq(11)});
  EXPECT_TRUE(pushed_to(viewers[0], push(kSource, 12, now_ + 3800ms)).empty());
}

TEST_F(PushTest, AForgedPieceIsNeitherKeptNorPassedOnAndItsSenderIsDropped) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId pusher = greet_viewers(2)[0], viewer(3);
  engine_->tick(now_);
  auto messages = push_messages(shared_chunk(key_, 10, true, 40'000));
  engine_->on_message(pusher, messages[0], now_);
  PieceMsg forged = std::get<PieceMsg>(messages[1]);
  forged.bytes.assign(forged.data().begin(), forged.data().end());
  forged.bytes[100] ^= 0x01;
  forged.whole.reset();
  const Actions after = engine_->on_message(pusher, forged, now_);
  EXPECT_TRUE(pieces_to(viewer, after).empty());
  const auto drops = only<DisconnectAction>(after);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].conn, pusher);
  EXPECT_TRUE(drops[0].ban);
  EXPECT_EQ(engine_->stats().chunks_rejected, 1u);
  EXPECT_FALSE(engine_->store().has(ChunkSeq(10)));
}

// A parent's piece may come before its head, and wait for it; if the chunk
// then comes whole instead, the piece is checked against it.
TEST_F(PushTest, AForgedPieceWaitingForItsHeadIsFoundOutWhenTheChunkComesWhole) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  home_without_room();
  const ConnId parent = greet_viewers(1)[0];
  const uint8_t pushing = become_parent(parent);
  ASSERT_NE(pushing, 0);
  const auto chunk = shared_chunk(key_, 10, true, 40'000);
  for (const Message& m : push_messages(chunk)) {
    const auto* piece = std::get_if<PieceMsg>(&m);
    if (!piece || !(pushing & (1u << stripe_of(piece->index)))) continue;
    PieceMsg forged = *piece;
    forged.bytes.assign(piece->data().begin(), piece->data().end());
    forged.bytes[100] ^= 0x01;
    forged.whole.reset();
    EXPECT_TRUE(only<DisconnectAction>(engine_->on_message(parent, forged, now_ + 300ms)).empty())
        << "no head to check it against yet";
    break;
  }
  const auto drops =
      only<DisconnectAction>(engine_->on_message(kSource, ChunkMsg{chunk}, now_ + 400ms));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].conn, parent);
  ASSERT_EQ(engine_->stats().offenders.size(), 1u);
  EXPECT_EQ(engine_->stats().offenders[0].offence, Offence::forge);
  EXPECT_TRUE(engine_->store().has(ChunkSeq(10)));
}

// A viewer taken in beyond max_neighbours, for the trees, goes if it takes
// no stripe from us within child_grace; not if we took one from it.
TEST_F(PushTest, KeepsAViewerTakenInForTheTreesThatBecameItsParent) {
  engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5), .max_neighbours = 1,
                            .silent_after = 1min, .busy_silent_after = 1min});
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  home_without_room();
  const auto viewers = greet_viewers(3);  // the last two beyond max_neighbours
  const ConnId parent = viewers[1], idle = viewers[2];
  ASSERT_NE(become_parent(parent), 0) << "it subscribed to the viewer";
  std::vector<ConnId> dropped;
  for (const auto& d : only<DisconnectAction>(engine_->tick(now_ + 6s))) dropped.push_back(d.conn);
  EXPECT_EQ(dropped, std::vector<ConnId>{idle});
}

TEST_F(PushTest, AHeadNotSignedByTheChannelDropsItsSender) {
  join_source(10);
  const ConnId pusher = greet_viewers(1)[0];
  const ChannelKey impostor = testing::test_key(3);
  ChunkHead head = head_of(make_chunk(key_, 10));
  impostor.sign(head);
  const auto drops = only<DisconnectAction>(engine_->on_message(pusher, ChunkHeadMsg{head}, now_));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].conn, pusher);
}

TEST_F(PushTest, AStripeStillComingDownItsTreeIsPulledOnlyOnceItIsLate) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  under_the_source();
  const ConnId holder = greet_viewers(1)[0];
  engine_->on_message(holder, UnchokeMsg{}, now_);
  // Chunk 9 (due at 7.5 s) comes down the trees but for one stripe's pieces.
  const auto messages = push_messages(shared_chunk(key_, 9, false, 40'000));
  for (const Message& m : messages) {
    const auto* p = std::get_if<PieceMsg>(&m);
    if (!p || stripe_of(p->index) != 3) engine_->on_message(kSource, m, now_);
  }
  engine_->on_message(holder, HaveMsg{{ChunkSeq(9)}, {}}, now_);
  // Its parent may still bring stripe 3: not asked for while due in more than repair_before.
  EXPECT_FALSE(std::ranges::count(requested(engine_->tick(now_ + 1000ms)), ChunkSeq(9)));
  // Due within a second: stripe 3 alone is asked for.
  const auto late = only<SendAction>(engine_->tick(now_ + 1600ms));
  std::vector<RequestMsg> asked;
  for (const auto& send : late) {
    if (const auto* r = std::get_if<RequestMsg>(&send.msg); r && r->seq == ChunkSeq(9)) asked.push_back(*r);
  }
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].stripes, 0b1000);
}

TEST_F(PushTest, AShorterLagWaitsForTheTreesAShorterTimeBeforePulling) {
  engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5), .lag = 1500ms});
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  under_the_source();
  const ConnId holder = greet_viewers(1)[0];
  engine_->on_message(holder, UnchokeMsg{}, now_);
  // Chunk 9 (due at 6 s) comes down the trees but for one stripe's pieces.
  for (const Message& m : push_messages(shared_chunk(key_, 9, false, 40'000))) {
    const auto* p = std::get_if<PieceMsg>(&m);
    if (!p || stripe_of(p->index) != 3) engine_->on_message(kSource, m, now_);
  }
  engine_->on_message(holder, HaveMsg{{ChunkSeq(9)}, {}}, now_);
  // A third of the lag, 500 ms, not the second a 3 s lag waits.
  EXPECT_FALSE(std::ranges::count(requested(engine_->tick(now_ + 200ms)), ChunkSeq(9)));
  EXPECT_TRUE(std::ranges::count(requested(engine_->tick(now_ + 600ms)), ChunkSeq(9)));
}

TEST_F(EngineTest, AsksAnotherNeighbourAtOnceWhenARequestIsRejected) {
  join_source(10);
  const ConnId a(2), b(3);
  for (const ConnId n : {a, b}) {
    engine_->on_connected(n, LinkKind::dialled, Endpoint{"127.0.0.1", uint16_t(7000 + n.value)},
                         now_);
    engine_->on_message(n, Hello{kProtocolVersion, key_.channel(), PeerId(10 + n.value), 7001},
                       now_);
    BufferMap map;
    map.add(ChunkSeq(9), false);
    engine_->on_message(n, map.to_message(ChunkSeq(0), 120), now_);
    engine_->on_message(n, UnchokeMsg{}, now_);
  }
  // Chunk 4 fixes the timeline: 9 is due 2.5 s later, beyond the urgent window.
  ConnId asked = kSource;
  for (const auto& send :
       only<SendAction>(engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 4)}, now_))) {
    if (const auto* r = std::get_if<RequestMsg>(&send.msg); r && r->seq == ChunkSeq(9))
      asked = send.to;
  }
  ASSERT_TRUE(asked == a || asked == b) << "chunk 9 not requested from a peer";
  const auto retry = only<SendAction>(engine_->on_message(asked, RejectMsg{ChunkSeq(9)}, now_));
  std::vector<ConnId> to;
  for (const auto& send : retry) {
    if (const auto* r = std::get_if<RequestMsg>(&send.msg); r && r->seq == ChunkSeq(9))
      to.push_back(send.to);
  }
  EXPECT_EQ(to, std::vector{asked == a ? b : a});
}

TEST_F(EngineTest, KnowsTheStreamRateFromTheSourceBeforeItsFirstChunk) {
  // A relative upload limit ("1.5x") needs the rate before anything arrives,
  // or a newcomer would look like a free rider to the source and its peers.
  EXPECT_FALSE(engine_->stream_rate());
  engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  BufferMapMsg map = BufferMap().to_message(ChunkSeq(0), 120);
  map.stream_rate = 160'000;
  engine_->on_message(kSource, map, now_);
  EXPECT_EQ(engine_->stream_rate(), 160'000.0);
}

TEST_F(EngineTest, ARelativeUploadLimitAppliesOnceTheSourceTellsTheStreamRate) {
  PeerEngine engine(PeerConfig{
      .channel = key_.channel(), .self = PeerId(5), .upload = {.stream_multiple = 1.5}});
  engine.on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine.on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  EXPECT_EQ(engine.upload_capacity(), 0.0);
  BufferMapMsg map = BufferMap().to_message(ChunkSeq(0), 120);
  map.stream_rate = 160'000;
  engine.on_message(kSource, map, now_);
  EXPECT_EQ(engine.upload_capacity(), 240'000.0);
}

TEST_F(EngineTest, ProbesAStartPointAPeerServingUsHoldsRatherThanAskTheSource) {
  engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  const ConnId peer(2);
  engine_->on_connected(peer, LinkKind::dialled, Endpoint{"127.0.0.1", 7001}, now_);
  engine_->on_message(peer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  BufferMap map;
  map.add(ChunkSeq(7), true);
  engine_->on_message(peer, map.to_message(ChunkSeq(0), 120), now_);
  const auto sends = only<SendAction>(engine_->on_message(peer, UnchokeMsg{}, now_));
  ASSERT_EQ(sends.size(), 1u);
  const auto& request = std::get<RequestMsg>(sends[0].msg);
  EXPECT_EQ(request.seq, ChunkSeq(7));
  // unproven_timeout: a neighbour that never answered us gets less time
  // before it asks elsewhere.
  EXPECT_EQ(request.wait_ms, 500u);
  // The source's newest start point, 8, is one chunk newer: 7 will do.
  BufferMap at_source;
  for (uint64_t s = 0; s < 10; ++s) at_source.add(ChunkSeq(s), s % 4 == 0);
  EXPECT_TRUE(
      requested(engine_->on_message(kSource, at_source.to_message(ChunkSeq(0), 120), now_)).empty());
}

TEST_F(EngineTest, ChoosesItsStartFromTheSourcesWordOnceAPeerServesIt) {
  now_ = kEpoch + 5100ms;  // chunk s is due at kEpoch + 500 ms * s + 3 s
  const Actions greeting = engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  answer_time(kSource, greeting, now_);
  BufferMap at_source;
  for (uint64_t s = 0; s < 10; ++s) at_source.add(ChunkSeq(s), true);
  BufferMapMsg word = at_source.to_message(ChunkSeq(0), 120);
  word.newest_capture = kEpoch + 4500ms;  // chunk 9
  word.newest_duration_ms = 500;
  engine_->on_message(kSource, word, now_);
  engine_->tick(now_);
  EXPECT_FALSE(engine_->playout().started());  // only the source serves us: wait for a peer

  const ConnId peer(2);
  engine_->on_connected(peer, LinkKind::dialled, Endpoint{"127.0.0.1", 7001}, now_);
  engine_->on_message(peer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  BufferMap at_peer;
  for (uint64_t s = 4; s < 10; ++s) at_peer.add(ChunkSeq(s), true);
  engine_->on_message(peer, at_peer.to_message(ChunkSeq(0), 120), now_);
  engine_->on_message(peer, UnchokeMsg{}, now_);
  engine_->tick(now_);
  // 5 is due in 400 ms, under start_margin; 6 in 900 ms, and a peer serving us holds it.
  EXPECT_EQ(engine_->playout().cursor(), ChunkSeq(6));
}

TEST_F(EngineTest, IgnoresAStreamRateFromAPeer) {
  const ConnId peer(2);
  engine_->on_connected(peer, LinkKind::dialled, Endpoint{"127.0.0.1", 7001}, now_);
  engine_->on_message(peer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  BufferMapMsg map = BufferMap().to_message(ChunkSeq(0), 120);
  map.stream_rate = 1;
  engine_->on_message(peer, map, now_);
  EXPECT_FALSE(engine_->stream_rate());
}


TEST_F(EngineTest, ChoosesNoStartBeforeANeighbourToldItTheChannelsClock) {
  const Actions greeting = engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  BufferMap map;
  for (uint64_t s = 0; s < 10; ++s) map.add(ChunkSeq(s), true);
  engine_->on_message(kSource, map.to_message(ChunkSeq(0), 120), now_);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  engine_->tick(now_);
  EXPECT_FALSE(engine_->playout().started());
  answer_time(kSource, greeting, now_);
  engine_->tick(now_);
  EXPECT_TRUE(engine_->playout().started());
}

TEST_F(EngineTest, AnswersATimeQueryOnlyOnceItKnowsTheChannelsClockAndWithinWhat) {
  const ConnId viewer = greet_viewers(1)[0];
  EXPECT_TRUE(only<SendAction>(engine_->on_message(viewer, TimeQueryMsg{77}, now_)).empty());
  join_source(10);
  const auto sends = only<SendAction>(engine_->on_message(viewer, TimeQueryMsg{77}, now_));
  ASSERT_EQ(sends.size(), 1u);
  const auto& reply = std::get<TimeReplyMsg>(sends[0].msg);
  EXPECT_EQ(reply.sent, 77);
  EXPECT_EQ(reply.received_ms, now_.time_since_epoch().count());
  EXPECT_EQ(reply.answered_ms, reply.received_ms);
  EXPECT_GE(reply.error_ms, 1u);  // the source's readings are whole milliseconds
  EXPECT_LE(reply.error_ms, 2u);
}

TEST_F(EngineTest, LearnsTheChannelsClockFromANeighbourWithoutTalkingToTheSource) {
  const ConnId peer(2);
  const Actions greeting =
      engine_->on_connected(peer, LinkKind::dialled, Endpoint{"127.0.0.1", 7001}, now_);
  engine_->on_message(peer, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, now_);
  const MonoTime local = engine_->local_time(now_);  // it reads its own clock so far
  for (const auto& send : only<SendAction>(greeting)) {
    if (const auto* q = std::get_if<TimeQueryMsg>(&send.msg)) {
      const int64_t at = (now_ - 7s).time_since_epoch().count();  // we are 7 s ahead
      engine_->on_message(peer, TimeReplyMsg{q->sent, at, at, 20}, now_);
    }
  }
  EXPECT_EQ(engine_->channel_time(local), now_ - 7s);
  EXPECT_EQ(engine_->clock().error(local), 21ms) << "the neighbour's bound, and rounding";
}

TEST_F(EngineTest, TakesOnlyTheAnswerToTheQueryItHasOutstanding) {
  const Actions greeting = engine_->on_connected(kSource, LinkKind::source, kSourceAt, now_);
  engine_->on_message(kSource, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, now_);
  const int64_t at = now_.time_since_epoch().count();
  engine_->on_message(kSource, TimeReplyMsg{12345, at, at, 0}, now_);
  EXPECT_FALSE(engine_->clock().synced());
  answer_time(kSource, greeting, now_);
  EXPECT_TRUE(engine_->clock().synced());
}

TEST_F(EngineTest, AsksEveryNeighbourTheTimeAgainEachInterval) {
  engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5), .busy_silent_after = 1min});
  join_source(10);
  const ConnId viewer = greet_viewers(1)[0];
  const auto asked = [&](const Actions& actions) {
    int n = 0;
    for (const auto& send : only<SendAction>(actions)) n += std::holds_alternative<TimeQueryMsg>(send.msg);
    return n;
  };
  EXPECT_EQ(asked(engine_->tick(now_ + 4900ms)), 0);
  EXPECT_EQ(asked(engine_->tick(now_ + 5000ms)), 2) << "the source and " << viewer.value;
}

TEST_F(EngineTest, AsksTheSourceToPunchToAViewerItCouldNotDialOnceAWhile) {
  engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5), .busy_silent_after = 10min});
  join_source(10);
  const Endpoint far{"203.0.113.2", 7002};
  const auto punches = [&](const Actions& actions) {
    std::vector<HolePunchMsg> out;
    for (const auto& send : only<SendAction>(actions)) {
      if (const auto* m = std::get_if<HolePunchMsg>(&send.msg); m && send.to == kSource) out.push_back(*m);
    }
    return out;
  };
  const auto asked = punches(engine_->on_dial_failed(far, DialFailure::unanswered, now_));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].addrs, std::vector<std::string>{"203.0.113.2:7002"});
  EXPECT_TRUE(punches(engine_->on_dial_failed(far, DialFailure::unanswered, now_ + 59s)).empty());
  EXPECT_EQ(punches(engine_->on_dial_failed(far, DialFailure::unanswered, now_ + 60s)).size(), 1u);
}

TEST_F(EngineTest, DialsWhereTheSourceSaysAtOnceAndAsksNoPunchBackWhenThatFails) {
  join_source(10);
  const HolePunchMsg punch{{"203.0.113.2:7002", "192.168.1.12:7002"}};
  std::vector<Endpoint> dialled;
  for (const auto& d : only<DialAction>(engine_->on_message(kSource, punch, now_))) dialled.push_back(d.to);
  EXPECT_EQ(dialled, (std::vector<Endpoint>{{"203.0.113.2", 7002}, {"192.168.1.12", 7002}}));
  for (const auto& send : only<SendAction>(engine_->on_dial_failed(dialled[0], DialFailure::unanswered, now_)))
    EXPECT_FALSE(std::holds_alternative<HolePunchMsg>(send.msg)) << "no punch for a punch";
}

// Dials leave from the listening port, so dialling a viewer that has just
// dialled us collides with its link on this host: no sign of a sybil.
TEST_F(EngineTest, DropsNeighboursOnAHostOnlyForPortsThereThatNobodyAnswered) {
  join_source(10);
  const ConnId viewer = greet_viewers(1)[0];  // on 127.0.0.1
  const auto drops = [&](DialFailure failure, uint16_t first_port) {
    size_t n = 0;
    for (uint16_t port = first_port; port < first_port + 3; ++port)
      n += only<DisconnectAction>(engine_->on_dial_failed({"127.0.0.1", port}, failure, now_)).size();
    return n;
  };
  EXPECT_EQ(drops(DialFailure::local, 7101), 0u);
  const auto dropped = only<DisconnectAction>(
      engine_->on_dial_failed({"127.0.0.1", 7201}, DialFailure::unanswered, now_));
  EXPECT_TRUE(dropped.empty()) << "one port nobody answered";
  EXPECT_EQ(drops(DialFailure::unanswered, 7202), 1u) << "three: the host's viewer " << viewer.value;
}

TEST_F(EngineTest, DropsANeighbourThatFellSilentSoonerIfItIsTheSource) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId quiet = greet_viewers(1)[0];
  const auto dropped = [&](WallTime at) {
    std::vector<ConnId> out;
    for (const auto& d : only<DisconnectAction>(engine_->tick(at))) out.push_back(d.conn);
    return out;
  };
  EXPECT_TRUE(dropped(now_ + 2900ms).empty());
  EXPECT_EQ(dropped(now_ + 3000ms), std::vector{kSource}) << "a HAVE comes with every chunk";
  engine_->on_message(quiet, HaveMsg{}, now_ + 5s);
  EXPECT_TRUE(dropped(now_ + 16900ms).empty());
  EXPECT_EQ(dropped(now_ + 17s), std::vector{quiet});
}

TEST_F(EngineTest, SendsTheSourceItsBufferMapEverySecondWhileNoChunkComes) {
  join_source(10);
  engine_->on_message(kSource, ChunkMsg{shared_chunk(key_, 8)}, now_);
  const ConnId other = greet_viewers(1)[0];
  const auto maps_to = [&](WallTime at, ConnId to) {
    int n = 0;
    for (const auto& send : only<SendAction>(engine_->tick(at)))
      n += send.to == to && std::holds_alternative<BufferMapMsg>(send.msg);
    return n;
  };
  EXPECT_EQ(maps_to(now_ + 900ms, kSource), 0);
  EXPECT_EQ(maps_to(now_ + 1000ms, kSource), 1) << "the publisher is away: keep the link alive";
  EXPECT_EQ(maps_to(now_ + 1500ms, kSource), 0);
  EXPECT_EQ(maps_to(now_ + 2000ms, kSource), 1);
  EXPECT_EQ(maps_to(now_ + 2000ms, other), 0) << "not in a tree with us: every 5 s as ever";
}

// Whether `actions` drop `conn` for a reason starting with `offence`, and
// tell the source of it if a message proved it.
bool punished(const Actions& actions, ConnId conn, PeerId id, Offence offence,
              Proof proof = Proof::message) {
  const std::string reason = std::string(offence_name(offence)) + ":";
  bool dropped = false, told = false;
  for (const Action& a : actions) {
    if (const auto* d = std::get_if<DisconnectAction>(&a); d && d->conn == conn)
      dropped = d->ban && d->reason.starts_with(reason);
    if (const auto* s = std::get_if<SendAction>(&a)) {
      const auto* m = std::get_if<OffenderMsg>(&s->msg);
      told = told || (m && s->to == ConnId(1) && m->peer_id == id &&
                      m->offence == static_cast<uint8_t>(offence));
    }
  }
  return dropped && told == (proof == Proof::message);
}

TEST_F(EngineTest, ANeighbourClaimingChunksTheSourceHasNotPublishedIsALiar) {
  join_source(10);
  const ConnId liar(2);
  dialled_viewer(liar, PeerId(66));
  BufferMap map;
  for (uint64_t s = 0; s < 40; ++s) map.add(ChunkSeq(s), s % 4 == 0);
  EXPECT_TRUE(punished(engine_->on_message(liar, map.to_message(ChunkSeq(0), 120), now_), liar,
                       PeerId(66), Offence::liar));
  ASSERT_EQ(engine_->stats().offenders.size(), 1u);
  EXPECT_EQ(engine_->stats().offenders[0].id, PeerId(66));
}

TEST_F(EngineTest, ANeighbourThatLetsItsRequestsRunOutIsDroppedAsALiarUntold) {
  join_source(10);
  const ConnId liar(2);
  dialled_viewer(liar, PeerId(66));
  claim_all(liar);
  int asked = 0;
  bool dropped = false;
  std::optional<WallTime> first_cancel;
  for (int step = 0; step < 400 && !dropped; ++step) {
    now_ += 50ms;
    const Actions actions = engine_->tick(now_);
    for (const auto& send : only<SendAction>(actions)) {
      asked += send.to == liar && std::holds_alternative<RequestMsg>(send.msg);
      if (send.to == liar && std::holds_alternative<CancelMsg>(send.msg) && !first_cancel)
        first_cancel = now_;
    }
    dropped = punished(actions, liar, PeerId(66), Offence::liar, Proof::pattern);
  }
  EXPECT_TRUE(dropped) << asked << " requests to it as it ticked";
  ASSERT_TRUE(first_cancel);
  EXPECT_LE(now_ - *first_cancel, 4s) << "found out within seconds of its first silence";
  ASSERT_EQ(engine_->stats().offenders.size(), 1u);
  EXPECT_EQ(engine_->stats().offenders[0].offence, Offence::liar);
  EXPECT_TRUE(engine_->stats().offenders[0].first_sign);
}

// Its own honest engine may let us go before its silence is judged.
TEST_F(EngineTest, ALiarThatClosesTheLinkBeforeItsVerdictIsCountedAllTheSame) {
  join_source(10);
  const ConnId liar(2);
  dialled_viewer(liar, PeerId(66));
  claim_all(liar);
  int cancels = 0;
  for (int step = 0; step < 400 && cancels < 3; ++step) {
    now_ += 50ms;
    for (const auto& send : only<SendAction>(engine_->tick(now_)))
      cancels += send.to == liar && std::holds_alternative<CancelMsg>(send.msg);
  }
  ASSERT_GE(cancels, 3);
  now_ += 500ms;
  engine_->tick(now_);
  ASSERT_TRUE(engine_->stats().offenders.empty()) << "its verdict was due later";
  engine_->on_disconnected(liar, now_);
  ASSERT_EQ(engine_->stats().offenders.size(), 1u);
  EXPECT_EQ(engine_->stats().offenders[0].id, PeerId(66));
  EXPECT_EQ(engine_->stats().offenders[0].offence, Offence::liar);
}

TEST_F(EngineTest, ASuspectTakenInForTheTreesIsKeptTillItIsFoundOut) {
  engine_ = make(PeerConfig{.channel = key_.channel(), .self = PeerId(5), .max_neighbours = 1,
                            .child_grace = 1000ms, .silent_after = 1min,
                            .busy_silent_after = 1min});
  join_source(10);
  home_without_room();
  const ConnId liar = greet_viewers(2)[1];  // beyond max_neighbours, for the trees
  claim_all(liar);
  std::string let_go;
  bool convicted = false;
  for (int step = 0; step < 400 && !convicted && let_go.empty(); ++step) {
    now_ += 50ms;
    const Actions actions = engine_->tick(now_);
    for (const auto& d : only<DisconnectAction>(actions)) {
      if (d.conn == liar && !d.ban) let_go = d.reason;
    }
    convicted = punished(actions, liar, PeerId(8), Offence::liar, Proof::pattern);
  }
  EXPECT_TRUE(convicted) << "let go: " << let_go;
}

// A liar that fell behind claims only chunks we hold: it is asked for the
// newest of them, which an honest neighbour would send or REJECT.
TEST_F(EngineTest, ASuspectWhoseClaimsFellBehindIsStillProbedAndFoundOut) {
  join_source(10);
  const ConnId liar(2);
  dialled_viewer(liar, PeerId(66));
  claim_all(liar);
  bool cancelled = false;
  for (int step = 0; step < 100 && !cancelled; ++step) {
    now_ += 50ms;
    for (const auto& send : only<SendAction>(engine_->tick(now_)))
      cancelled = cancelled || (send.to == liar && std::holds_alternative<CancelMsg>(send.msg));
  }
  ASSERT_TRUE(cancelled) << "a request to it ran out";
  BufferMap behind;  // only the chunk we hold
  behind.add(ChunkSeq(4), true);
  engine_->on_message(liar, behind.to_message(ChunkSeq(0), 120), now_);
  bool dropped = false;
  std::set<uint64_t> probed;
  for (int step = 0; step < 200 && !dropped; ++step) {
    now_ += 50ms;
    const Actions actions = engine_->tick(now_);
    for (const auto& send : only<SendAction>(actions)) {
      if (const auto* r = std::get_if<RequestMsg>(&send.msg); r && send.to == liar)
        probed.insert(r->seq.value);
    }
    dropped = punished(actions, liar, PeerId(66), Offence::liar, Proof::pattern);
  }
  EXPECT_TRUE(dropped);
  EXPECT_TRUE(probed.contains(4)) << "asked for the chunk it claims, though held";
}

}  // namespace
}  // namespace shoal
