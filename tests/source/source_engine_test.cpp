// The source greets viewers of its channel only, announces every new chunk,
// roots the stripe trees (it deals homes, pushes each new chunk's pieces to
// its children per stripe, points viewers without a parent at viewers with
// room) so that peers, not the source, multiply the stream, and serves
// requests from its window through a narrow uplink pipe.
#include "source/source_engine.h"

#include <gtest/gtest.h>

#include <map>

#include "../peer/test_chunks.h"
#include "peer/offence.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;
using testing::shared_chunk;

// Per receiving connection, the seqs of the chunks sent: whole (CHUNK, a
// reply) or pushed (CHUNK_HEAD, its pieces behind it).
std::map<ConnId, std::vector<uint64_t>> chunks_sent(const Actions& actions) {
  std::map<ConnId, std::vector<uint64_t>> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (!send) continue;
    if (const auto* c = std::get_if<ChunkMsg>(&send->msg))
      out[send->to].push_back(c->chunk->seq.value);
    if (const auto* h = std::get_if<ChunkHeadMsg>(&send->msg))
      out[send->to].push_back(h->head.seq.value);
  }
  return out;
}

// Per receiving connection, the stripes of the pieces pushed to it.
std::map<ConnId, uint8_t> stripes_pushed(const Actions& actions) {
  std::map<ConnId, uint8_t> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (const auto* p = send ? std::get_if<PieceMsg>(&send->msg) : nullptr)
      out[send->to] |= static_cast<uint8_t>(1u << stripe_of(p->index));
  }
  return out;
}

// The first message of type M sent, if any.
template <typename M>
std::optional<M> first_of(const Actions& actions) {
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (const auto* m = send ? std::get_if<M>(&send->msg) : nullptr) return *m;
  }
  return std::nullopt;
}

// Per receiving connection, the last STRIPES sent to it.
std::map<ConnId, StripesMsg> sent_stripes(const Actions& actions) {
  std::map<ConnId, StripesMsg> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (const auto* m = send ? std::get_if<StripesMsg>(&send->msg) : nullptr) out[send->to] = *m;
  }
  return out;
}

// Whether a CHUNK_HEAD went to `to`.
bool heads_sent_to(const Actions& actions, ConnId to) {
  return std::ranges::any_of(actions, [&](const Action& a) {
    const auto* send = std::get_if<SendAction>(&a);
    return send && send->to == to && std::holds_alternative<ChunkHeadMsg>(send->msg);
  });
}

// Per receiving connection, the seqs announced in HAVE messages.
std::map<ConnId, std::vector<uint64_t>> haves_sent(const Actions& actions) {
  std::map<ConnId, std::vector<uint64_t>> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (!send) continue;
    if (const auto* h = std::get_if<HaveMsg>(&send->msg)) {
      for (ChunkSeq s : h->seqs) out[send->to].push_back(s.value);
    }
  }
  return out;
}

// The seqs of the REJECT messages, in order.
std::vector<ChunkSeq> rejected(const Actions& actions) {
  std::vector<ChunkSeq> out;
  for (const auto& a : actions) {
    const auto* send = std::get_if<SendAction>(&a);
    if (!send) continue;
    if (const auto* r = std::get_if<RejectMsg>(&send->msg)) out.push_back(r->seq);
  }
  return out;
}

size_t disconnects(const Actions& actions) {
  return std::ranges::count_if(
      actions, [](const Action& a) { return std::holds_alternative<DisconnectAction>(a); });
}

using PerConn = std::map<ConnId, std::vector<uint64_t>>;

class SourceEngineTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  SourceConfig config_{.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4};
  std::unique_ptr<SourceEngine> engine_ = std::make_unique<SourceEngine>(config_);
  WallTime now_ = kEpoch;

  void reconfigure(SourceConfig config) {
    config_ = config;
    engine_ = std::make_unique<SourceEngine>(config_);
  }

  Actions greet(ConnId conn, uint16_t listen_port = 0) {
    engine_->on_connected(conn, Endpoint{"127.0.0.1", static_cast<uint16_t>(40000 + conn.value)});
    return engine_->on_message(
        conn, Hello{kProtocolVersion, key_.channel(), PeerId(100 + conn.value), listen_port}, now_);
  }

  Actions publish(uint64_t seq) { return engine_->publish(shared_chunk(key_, seq), now_); }

  // The viewer asks to be pushed `stripes` (and heads); per connection, the
  // STRIPES the source answers with.
  std::map<ConnId, StripesMsg> subscribe(ConnId conn, uint8_t stripes, bool heads,
                                         uint8_t home = 0) {
    static uint32_t ask = 0;
    const auto out = engine_->on_message(
        conn, SubscribeMsg{.stripes = stripes, .heads = heads, .home = home, .slots = 5, .ask = ++ask},
        now_);
    std::map<ConnId, StripesMsg> answers;
    for (const auto& a : out) {
      const auto* send = std::get_if<SendAction>(&a);
      if (const auto* m = send ? std::get_if<StripesMsg>(&send->msg) : nullptr) answers[send->to] = *m;
    }
    return answers;
  }

  // The viewer says where it stands in the trees.
  Actions tell_stripes(ConnId conn, std::vector<uint8_t> depth, std::vector<uint8_t> takes) {
    StripesMsg m{.home = 0, .depth = std::move(depth), .takes = std::move(takes), .slots = 5,
                 .ancestors = std::vector<uint64_t>(kStripes, 0)};
    return engine_->on_message(conn, m, now_);
  }

  // 0.4 x 376 B/s: four 188-byte repairs in the 5 s window use it up.
  SourceConfig small_repair_share() const {
    return {.channel = key_.channel(),
            .self = PeerId(0),
            .window_chunks = 8,
            .upload_pipe = 10,
            .repair_share = 0.4,
            .seed_copies = 2,
            .spread_share = 0.4};
  }
};

// --- greeting ---

TEST_F(SourceEngineTest, AnswersAHelloWithItsBufferMap) {
  publish(0);
  const auto out = greet(ConnId(1));
  const auto map = first_of<BufferMapMsg>(out);
  ASSERT_TRUE(map);
  BufferMap m;
  ASSERT_TRUE(m.assign(*map));
  EXPECT_TRUE(m.has(ChunkSeq(0)));
  EXPECT_EQ(engine_->viewers(), 1u);
}

TEST_F(SourceEngineTest, TellsANewViewerTheStreamRateItPublishes) {
  const auto rate_told = [&](ConnId viewer) {
    const auto out = greet(viewer);
    return std::get<BufferMapMsg>(std::get<SendAction>(out.at(0)).msg).stream_rate;
  };
  EXPECT_EQ(rate_told(ConnId(1)), 0u);  // nothing published: unknown
  publish(0);
  publish(1);  // two chunks of 188 bytes and 500 ms each
  EXPECT_EQ(rate_told(ConnId(2)), 376u);
}

TEST_F(SourceEngineTest, TellsANewViewerWhenItsNewestChunkWasCaptured) {
  const auto told = [&](ConnId viewer) {
    return std::get<BufferMapMsg>(std::get<SendAction>(greet(viewer).at(0)).msg);
  };
  EXPECT_EQ(told(ConnId(1)).newest_duration_ms, 0u);  // nothing published: unknown
  publish(0);
  publish(1);
  const BufferMapMsg map = told(ConnId(2));
  EXPECT_EQ(map.newest_capture, kEpoch + 500ms);
  EXPECT_EQ(map.newest_duration_ms, 500u);
}

TEST_F(SourceEngineTest, PointsANewViewerAtTheViewersThatListen) {
  greet(ConnId(1), 7001);
  greet(ConnId(2), 0);  // accepts no connections
  const auto pex = first_of<PexMsg>(greet(ConnId(3), 7003));
  ASSERT_TRUE(pex);
  EXPECT_EQ(pex->addrs, std::vector<std::string>{"127.0.0.1:7001"});
}

TEST_F(SourceEngineTest, RefusesAViewerOfAnotherChannel) {
  engine_->on_connected(ConnId(1), Endpoint{"127.0.0.1", 40001});
  const auto out = engine_->on_message(
      ConnId(1), Hello{kProtocolVersion, testing::test_key(7).channel(), PeerId(9), 0}, now_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<DisconnectAction>(out[0]));
  EXPECT_EQ(engine_->viewers(), 0u);
  EXPECT_TRUE(haves_sent(publish(0)).empty());
}

TEST_F(SourceEngineTest, DropsAViewerThatSpeaksBeforeHello) {
  publish(0);
  engine_->on_connected(ConnId(1), Endpoint{"127.0.0.1", 40001});
  const auto out = engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_);
  EXPECT_EQ(disconnects(out), 1u);
  EXPECT_TRUE(chunks_sent(out).empty());
}

// --- announcing and pushing new chunks ---

TEST_F(SourceEngineTest, AnnouncesEachNewChunkToGreetedViewers) {
  greet(ConnId(1));
  engine_->on_connected(ConnId(2), Endpoint{"127.0.0.1", 40002});  // has not said HELLO yet
  const auto out = publish(0);
  EXPECT_EQ(haves_sent(out), (PerConn{{ConnId(1), {0}}}));
  const auto have = first_of<HaveMsg>(out);
  ASSERT_TRUE(have);
  EXPECT_EQ(have->random_access, std::vector{ChunkSeq(0)});
}

TEST_F(SourceEngineTest, DealsHomesSoThatEachStripeHasAsManyViewers) {
  std::map<uint32_t, int> viewers_at_home;
  for (uint64_t c = 1; c <= 2 * kStripes; ++c) {
    const auto stripes = first_of<StripesMsg>(greet(ConnId(c)));
    ASSERT_TRUE(stripes);
    EXPECT_EQ(stripes->home, kStripes);  // the root of every stripe
    ++viewers_at_home[stripes->your_home];
  }
  ASSERT_EQ(viewers_at_home.size(), kStripes);
  for (const auto& [home, n] : viewers_at_home) EXPECT_EQ(n, 2) << "stripe " << home;
}

TEST_F(SourceEngineTest, PushesEachNewChunksPiecesToItsChildrenStripeByStripe) {
  greet(ConnId(1));
  greet(ConnId(2));
  greet(ConnId(3));
  subscribe(ConnId(1), 0b0011, true);
  subscribe(ConnId(2), 0b1100, false);
  const auto out = publish(0);
  const auto stripes = stripes_pushed(out);
  EXPECT_EQ(stripes.at(ConnId(1)), 0b0011);
  EXPECT_EQ(stripes.at(ConnId(2)), 0b1100);
  EXPECT_FALSE(stripes.contains(ConnId(3)));
  // The head goes to the children that asked for heads.
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(1), {0}}}));
}

TEST_F(SourceEngineTest, TakesPushCopiesChildrenPerStripePreferringOnesThatPassItOn) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4, .push_copies = 1});
  greet(ConnId(1));
  greet(ConnId(2));
  // 1 is a leaf in stripe 0 (its home is 1); 2 passes stripe 0 on.
  ASSERT_EQ(subscribe(ConnId(1), 0b0001, true, 1).at(ConnId(1)).pushing, 0b0001);
  const auto answers = subscribe(ConnId(2), 0b0001, true, 0);
  EXPECT_EQ(answers.at(ConnId(2)).pushing, 0b0001);
  EXPECT_EQ(answers.at(ConnId(1)).pushing, 0) << "made room for a better child";
  // And no third child while the one it has passes the stripe on.
  greet(ConnId(3));
  EXPECT_EQ(subscribe(ConnId(3), 0b0001, true, 0).at(ConnId(3)).pushing, 0);
  EXPECT_EQ(stripes_pushed(publish(0)), (std::map<ConnId, uint8_t>{{ConnId(2), 0b0001}}));
}

TEST_F(SourceEngineTest, PointsAViewerWithoutAParentAtTheNearestViewersWithRoom) {
  greet(ConnId(1), 7001);
  greet(ConnId(2), 7002);
  greet(ConnId(3), 7003);
  // 1 stands at depth 1 in every stripe and takes any child; 2 is deep; 3 has no parent.
  tell_stripes(ConnId(1), {1, 1, 1, 1}, {0, 0, 0, 0});
  tell_stripes(ConnId(2), {6, 6, 6, 6}, {0, 0, 0, 0});
  const auto pex = first_of<PexMsg>(tell_stripes(ConnId(3), {255, 255, 255, 255}, {5, 5, 5, 5}));
  ASSERT_TRUE(pex);
  EXPECT_TRUE(pex->parents);
  ASSERT_FALSE(pex->addrs.empty());
  EXPECT_EQ(pex->addrs.front(), "127.0.0.1:7001");
  // Not again before parents_interval.
  EXPECT_FALSE(first_of<PexMsg>(tell_stripes(ConnId(3), {255, 255, 255, 255}, {5, 5, 5, 5})));
}

TEST_F(SourceEngineTest, ServesRequestsFromItsWindowOnly) {
  greet(ConnId(1));
  for (uint64_t s = 0; s < 6; ++s) publish(s);
  EXPECT_EQ(rejected(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(1)}, now_)),
            std::vector{ChunkSeq(1)});  // slid out
  EXPECT_EQ(rejected(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(6)}, now_)),
            std::vector{ChunkSeq(6)});  // not yet
  const auto out = engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(5)}, now_);
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(1), {5}}}));
}

TEST_F(SourceEngineTest, RejectsARequestItCouldNotStartWithinMaxWait) {
  SourceConfig config = config_;
  config.upload = {.bytes_per_second = 376};  // two 188-byte test chunks a second
  reconfigure(config);
  greet(ConnId(1));
  greet(ConnId(2));
  for (uint64_t s = 0; s < 4; ++s) publish(s);
  EXPECT_EQ(chunks_sent(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_)).size(), 1u);
  // Half a second behind the first: within max_wait (500 ms).
  EXPECT_TRUE(rejected(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(1)}, now_)).empty());
  EXPECT_EQ(rejected(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(2)}, now_)),
            std::vector{ChunkSeq(2)});
}

TEST_F(SourceEngineTest, TurnsRepairsAwayBeyondItsShareUnlessNobodyHasTheChunkYet) {
  reconfigure(small_repair_share());
  for (uint64_t c = 1; c <= 3; ++c) greet(ConnId(c));
  for (uint64_t s = 0; s < 4; ++s) publish(s);  // nobody reported spare upload: no pushes
  for (uint64_t c = 1; c <= 2; ++c) {
    for (uint64_t s = 0; s < 2; ++s) {
      ASSERT_EQ(chunks_sent(engine_->on_message(ConnId(c), RequestMsg{ChunkSeq(s)}, now_)).size(),
                1u);
    }
  }
  // Chunk 0 left twice already: the viewers can pass it on.
  EXPECT_EQ(rejected(engine_->on_message(ConnId(3), RequestMsg{ChunkSeq(0)}, now_)),
            std::vector{ChunkSeq(0)});
  // Chunk 2 never left: only the source can start it off.
  EXPECT_EQ(chunks_sent(engine_->on_message(ConnId(3), RequestMsg{ChunkSeq(2)}, now_)),
            (PerConn{{ConnId(3), {2}}}));
  now_ += 6s;  // the repairs have left the window
  EXPECT_EQ(chunks_sent(engine_->on_message(ConnId(3), RequestMsg{ChunkSeq(0)}, now_)),
            (PerConn{{ConnId(3), {0}}}));
}

TEST_F(SourceEngineTest, BeyondItsShareSendsNoSecondCopyOfAChunkManyViewersHold) {
  reconfigure(small_repair_share());
  for (uint64_t c = 1; c <= 5; ++c) greet(ConnId(c));
  for (uint64_t s = 0; s < 4; ++s) publish(s);
  for (uint64_t c = 1; c <= 2; ++c) {  // four repairs use up the share
    for (uint64_t s = 0; s < 2; ++s) engine_->on_message(ConnId(c), RequestMsg{ChunkSeq(s)}, now_);
  }
  for (uint64_t s = 2; s < 4; ++s) {  // the first copy of 2 and 3, to viewer 3
    ASSERT_EQ(chunks_sent(engine_->on_message(ConnId(3), RequestMsg{ChunkSeq(s)}, now_)).size(),
              1u);
  }
  // Viewer 3 passed 2 on to viewer 4: two viewers of five hold it, 3 only one.
  engine_->on_message(ConnId(3), HaveMsg{{ChunkSeq(2), ChunkSeq(3)}, {}}, now_);
  engine_->on_message(ConnId(4), HaveMsg{{ChunkSeq(2)}, {}}, now_);
  EXPECT_EQ(rejected(engine_->on_message(ConnId(5), RequestMsg{ChunkSeq(2)}, now_)),
            std::vector{ChunkSeq(2)});
  EXPECT_EQ(chunks_sent(engine_->on_message(ConnId(5), RequestMsg{ChunkSeq(3)}, now_)),
            (PerConn{{ConnId(5), {3}}}));
}

TEST_F(SourceEngineTest, ServesEveryRequestWithoutARepairShare) {
  reconfigure({.channel = key_.channel(),
               .self = PeerId(0),
               .window_chunks = 8,
               .upload_pipe = 100,
               .repair_share = std::nullopt});
  for (uint64_t c = 1; c <= 5; ++c) greet(ConnId(c));
  for (uint64_t s = 0; s < 8; ++s) publish(s);
  size_t served = 0;
  for (uint64_t c = 1; c <= 5; ++c) {
    for (uint64_t s = 0; s < 8; ++s)
      served += chunks_sent(engine_->on_message(ConnId(c), RequestMsg{ChunkSeq(s)}, now_)).size();
  }
  EXPECT_EQ(served, 40u);
}

TEST_F(SourceEngineTest, ServesAtMostUploadPipeChunksUntilOneIsSent) {
  greet(ConnId(1));
  greet(ConnId(2));
  for (uint64_t s = 0; s < 4; ++s) publish(s);
  PerConn served;
  const auto add = [&](const Actions& out) {
    for (const auto& [conn, seqs] : chunks_sent(out))
      served[conn].insert(served[conn].end(), seqs.begin(), seqs.end());
  };
  add(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_));
  add(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(1)}, now_));
  add(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(2)}, now_));
  EXPECT_EQ(served, (PerConn{{ConnId(1), {0}}, {ConnId(2), {1}}}));  // upload_pipe = 2
  EXPECT_TRUE(chunks_sent(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(3)}, now_)).empty());
  EXPECT_EQ(chunks_sent(engine_->on_chunk_sent(ConnId(2), now_)), (PerConn{{ConnId(1), {2}}}));
  EXPECT_EQ(chunks_sent(engine_->on_chunk_sent(ConnId(1), now_)), (PerConn{{ConnId(2), {3}}}));
}

TEST_F(SourceEngineTest, CancelWithdrawsAQueuedRequest) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4, .upload_pipe = 1});
  greet(ConnId(1));
  for (uint64_t s = 0; s < 3; ++s) publish(s);
  ASSERT_EQ(chunks_sent(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_)).size(), 1u);
  engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(1)}, now_);
  engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(2)}, now_);
  engine_->on_message(ConnId(1), CancelMsg{ChunkSeq(1)}, now_);
  EXPECT_EQ(chunks_sent(engine_->on_chunk_sent(ConnId(1), now_)), (PerConn{{ConnId(1), {2}}}));
  EXPECT_TRUE(chunks_sent(engine_->on_chunk_sent(ConnId(1), now_)).empty());
}

TEST_F(SourceEngineTest, ARequestLeftWaitingTooLongIsNotServed) {
  reconfigure({.channel = key_.channel(),
               .self = PeerId(0),
               .window_chunks = 4,
               .upload_pipe = 1,
               .request_max_age = 2000ms});
  greet(ConnId(1));
  for (uint64_t s = 0; s < 2; ++s) publish(s);
  engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_);
  engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(1)}, now_);
  // The uplink took 2.5 s for chunk 0: the viewer has given up on 1.
  EXPECT_TRUE(chunks_sent(engine_->on_chunk_sent(ConnId(1), now_ + 2500ms)).empty());
}

TEST_F(SourceEngineTest, ADepartedViewerIsPushedAndToldNothingMore) {
  greet(ConnId(1));
  greet(ConnId(2));
  subscribe(ConnId(1), 0b0011, true);
  subscribe(ConnId(2), 0b1100, true);
  engine_->on_disconnected(ConnId(1));
  EXPECT_EQ(engine_->viewers(), 1u);
  const auto out = publish(0);
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(2), {0}}}));
  EXPECT_EQ(stripes_pushed(out), (std::map<ConnId, uint8_t>{{ConnId(2), 0b1100}}));
  EXPECT_EQ(haves_sent(out), (PerConn{{ConnId(2), {0}}}));
}

// on_disconnected may or may not return actions; collect them if it does.
template <typename F>
Actions actions_of(F&& call) {
  if constexpr (std::is_void_v<decltype(call())>) {
    call();
    return {};
  } else {
    return call();
  }
}

TEST_F(SourceEngineTest, AViewerLeavingMidUploadMakesRoomForTheRequestsWaiting) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4, .upload_pipe = 1});
  greet(ConnId(1));
  greet(ConnId(2));
  publish(0);
  // 1's request fills the pipe; 2's waits behind it.
  ASSERT_EQ(chunks_sent(engine_->on_message(ConnId(1), RequestMsg{ChunkSeq(0)}, now_)),
            (PerConn{{ConnId(1), {0}}}));
  ASSERT_TRUE(chunks_sent(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(0)}, now_)).empty());
  // Viewer 1 goes; its chunk will never be reported sent. By the next chunk
  // published at the latest, viewer 2's request must be on its way.
  Actions out = actions_of([&] { return engine_->on_disconnected(ConnId(1)); });
  for (Action& a : publish(1)) out.push_back(std::move(a));
  EXPECT_EQ(chunks_sent(out)[ConnId(2)], (std::vector<uint64_t>{0}));
}

TEST_F(SourceEngineTest, AnswersATimeQueryWithItsOwnClockWhichIsTheChannels) {
  greet(ConnId(1));
  now_ = kEpoch + 1234ms;
  const auto reply = first_of<TimeReplyMsg>(engine_->on_message(ConnId(1), TimeQueryMsg{42}, now_));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->sent, 42);
  EXPECT_EQ(reply->received_ms, now_.time_since_epoch().count());
  EXPECT_EQ(reply->answered_ms, reply->received_ms);
  EXPECT_EQ(reply->error_ms, 0u);
}

// A viewer behind a NAT greets from `seen` (host:port as the source sees the
// link) and says its own address is `inside`.
Actions greet_from(SourceEngine& e, const ChannelKey& key, ConnId conn, const Endpoint& seen,
                   uint16_t listen_port, const std::string& inside, WallTime now) {
  e.on_connected(conn, seen);
  return e.on_message(conn,
                      Hello{kProtocolVersion, key.channel(), PeerId(100 + conn.value), listen_port,
                            "", inside},
                      now);
}

TEST_F(SourceEngineTest, HasTwoViewersDialEachOtherAtOnceWhenOneCouldNotReachTheOther) {
  greet_from(*engine_, key_, ConnId(1), {"203.0.113.1", 7001}, 7001, "192.168.1.11", now_);
  greet_from(*engine_, key_, ConnId(2), {"203.0.113.2", 7002}, 7002, "192.168.2.12", now_);
  greet_from(*engine_, key_, ConnId(3), {"203.0.113.1", 7003}, 7003, "192.168.1.13", now_);
  std::map<ConnId, std::vector<std::string>> told;
  for (const auto& a : engine_->on_message(ConnId(1), HolePunchMsg{{"203.0.113.2:7002"}}, now_)) {
    const auto& send = std::get<SendAction>(a);
    told[send.to] = std::get<HolePunchMsg>(send.msg).addrs;
  }
  EXPECT_EQ(told[ConnId(1)], std::vector<std::string>{"203.0.113.2:7002"});
  EXPECT_EQ(told[ConnId(2)], std::vector<std::string>{"203.0.113.1:7001"});
  // Two behind one NAT are told each other's inside address too.
  told.clear();
  for (const auto& a : engine_->on_message(ConnId(3), HolePunchMsg{{"203.0.113.1:7001"}}, now_)) {
    const auto& send = std::get<SendAction>(a);
    told[send.to] = std::get<HolePunchMsg>(send.msg).addrs;
  }
  EXPECT_EQ(told[ConnId(3)], (std::vector<std::string>{"203.0.113.1:7001", "192.168.1.11:7001"}));
  EXPECT_EQ(told[ConnId(1)], (std::vector<std::string>{"203.0.113.1:7003", "192.168.1.13:7003"}));
  // Nobody known there: nothing.
  EXPECT_TRUE(engine_->on_message(ConnId(1), HolePunchMsg{{"203.0.113.9:7009"}}, now_).empty());
}

TEST_F(SourceEngineTest, TakesInOneViewerPerNatThatChangesPortsOnceItHasNoParent) {
  publish(0);
  // Their links come from other ports than they listen on: nobody can dial them.
  greet_from(*engine_, key_, ConnId(1), {"203.0.113.3", 40001}, 7001, "192.168.3.11", now_);
  greet_from(*engine_, key_, ConnId(2), {"203.0.113.3", 40002}, 7002, "192.168.3.12", now_);
  // One behind a NAT that keeps ports.
  greet_from(*engine_, key_, ConnId(3), {"203.0.113.1", 7003}, 7003, "192.168.1.13", now_);
  for (const uint64_t c : {1, 2, 3}) tell_stripes(ConnId(c), {255, 255, 255, 255}, {5, 5, 5, 5});
  const auto takes_of = [&](ConnId c) {
    return subscribe(c, kAllStripes, true)[c].pushing;
  };
  EXPECT_EQ(takes_of(ConnId(1)), kAllStripes) << "taken beyond its one push copy";
  EXPECT_EQ(takes_of(ConnId(3)), kAllStripes) << "the usual child, in the usual slots";
  EXPECT_EQ(takes_of(ConnId(2)), 0) << "its NAT has one: it takes that one as parent";
}

TEST_F(SourceEngineTest, TellsEveryViewerItsBufferMapEverySecondWhileNothingIsPublished) {
  greet(ConnId(1));
  greet(ConnId(2));
  publish(0);
  const auto maps = [&](WallTime at) {
    std::vector<ConnId> to;
    for (const auto& a : engine_->tick(at)) {
      const auto* send = std::get_if<SendAction>(&a);
      if (send && std::holds_alternative<BufferMapMsg>(send->msg)) to.push_back(send->to);
    }
    return to;
  };
  EXPECT_TRUE(maps(now_ + 900ms).empty()) << "the HAVE of chunk 0 said enough";
  EXPECT_EQ(maps(now_ + 1000ms), (std::vector{ConnId(1), ConnId(2)})) << "the publisher is away";
  EXPECT_TRUE(maps(now_ + 1500ms).empty());
  const auto map = first_of<BufferMapMsg>(engine_->tick(now_ + 2000ms));
  ASSERT_TRUE(map);
  EXPECT_EQ(map->newest_capture, kEpoch) << "where the stream stands, for the viewers' playout";
  now_ += 2500ms;
  publish(1);
  EXPECT_TRUE(maps(now_ + 900ms).empty()) << "chunks flow again";
}

// --- hostile viewers: reported and barren ones leave the trees ---

// `from` says it dropped viewer `conn` (peer 100 + conn) as a liar.
Actions report(SourceEngine& e, ConnId from, ConnId conn, WallTime now) {
  return e.on_message(
      from, OffenderMsg{PeerId(100 + conn.value), static_cast<uint8_t>(Offence::liar)}, now);
}

TEST_F(SourceEngineTest, AViewerTwoOthersReportIsTakenOutOfTheTrees) {
  for (uint64_t c = 1; c <= 4; ++c) greet(ConnId(c), static_cast<uint16_t>(7000 + c));
  subscribe(ConnId(1), kAllStripes, true);
  EXPECT_TRUE(report(*engine_, ConnId(2), ConnId(1), now_).empty());
  EXPECT_EQ(stripes_pushed(publish(0))[ConnId(1)], kAllStripes) << "one report does nothing";

  const auto told = first_of<StripesMsg>(report(*engine_, ConnId(3), ConnId(1), now_));
  ASSERT_TRUE(told);
  EXPECT_EQ(told->pushing, 0);
  const auto out = publish(1);
  EXPECT_FALSE(stripes_pushed(out).contains(ConnId(1)));
  EXPECT_FALSE(heads_sent_to(out, ConnId(1)));
  EXPECT_EQ(haves_sent(out)[ConnId(1)], std::vector<uint64_t>{1}) << "still a viewer";
  EXPECT_EQ(subscribe(ConnId(1), kAllStripes, true).at(ConnId(1)).pushing, 0);
  const auto again = publish(2);
  EXPECT_FALSE(stripes_pushed(again).contains(ConnId(1)));
  EXPECT_FALSE(heads_sent_to(again, ConnId(1))) << "nor heads, though it asks for them";

  // Never named as a parent, however near the root it says it stands.
  tell_stripes(ConnId(1), {1, 1, 1, 1}, {0, 0, 0, 0});
  tell_stripes(ConnId(2), {3, 3, 3, 3}, {0, 0, 0, 0});
  const auto pex = first_of<PexMsg>(tell_stripes(ConnId(4), {255, 255, 255, 255}, {5, 5, 5, 5}));
  ASSERT_TRUE(pex);
  EXPECT_FALSE(pex->addrs.empty());
  EXPECT_EQ(std::ranges::count(pex->addrs, "127.0.0.1:7001"), 0);
}

TEST_F(SourceEngineTest, AReportFromTheSameViewerTwiceCountsOnce) {
  for (uint64_t c = 1; c <= 3; ++c) greet(ConnId(c));
  subscribe(ConnId(1), kAllStripes, true);
  report(*engine_, ConnId(2), ConnId(1), now_);
  report(*engine_, ConnId(2), ConnId(1), now_);
  EXPECT_EQ(stripes_pushed(publish(0))[ConnId(1)], kAllStripes);
  report(*engine_, ConnId(3), ConnId(1), now_);
  EXPECT_FALSE(stripes_pushed(publish(1)).contains(ConnId(1)));
}

// A viewer that says where it stands: depth and takes per stripe, and who
// its ancestors are in stripe 0.
Actions stands(SourceEngine& e, ConnId conn, std::vector<uint8_t> depth, std::vector<uint8_t> takes,
               uint64_t ancestors0, WallTime now) {
  std::vector<uint64_t> ancestors(kStripes, 0);
  ancestors[0] = ancestors0;
  return e.on_message(conn,
                      StripesMsg{.home = 0,
                                 .depth = std::move(depth),
                                 .takes = std::move(takes),
                                 .slots = 5,
                                 .ancestors = std::move(ancestors)},
                      now);
}

TEST_F(SourceEngineTest, AChildThatSaysItTakesNobodyIsDroppedWhileOthersHaveNoParent) {
  greet(ConnId(1));
  greet(ConnId(2));
  ASSERT_EQ(subscribe(ConnId(1), 0b0001, true).at(ConnId(1)).pushing, 0b0001);
  stands(*engine_, ConnId(1), {1, 255, 255, 255}, {kTakesNobody, 0, 0, 0}, 0, now_);
  stands(*engine_, ConnId(2), {255, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  const auto told = sent_stripes(publish(0));
  ASSERT_TRUE(told.contains(ConnId(1))) << "dropped at once";
  EXPECT_EQ(told.at(ConnId(1)).pushing, 0);
  EXPECT_FALSE(stripes_pushed(publish(1)).contains(ConnId(1)));
  // Refused the stripe for barren_for (30 s), then welcome again.
  now_ += 29s;
  EXPECT_EQ(subscribe(ConnId(1), 0b0001, true).at(ConnId(1)).pushing, 0);
  now_ += 1s;
  EXPECT_EQ(subscribe(ConnId(1), 0b0001, true).at(ConnId(1)).pushing, 0b0001);
}

TEST_F(SourceEngineTest,
       AChildThatPassesAStripeToNobodyIsDroppedAfterFourSecondsWhileOthersLackIt) {
  greet(ConnId(1));
  greet(ConnId(2));
  subscribe(ConnId(1), 0b0001, true);
  stands(*engine_, ConnId(1), {1, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  stands(*engine_, ConnId(2), {255, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  publish(0);
  now_ += 3900ms;
  EXPECT_EQ(stripes_pushed(publish(1))[ConnId(1)], 0b0001) << "given barren_after to take one";
  now_ += 100ms;
  publish(2);
  EXPECT_FALSE(stripes_pushed(publish(3)).contains(ConnId(1)));
}

// One behind a NAT that changes ports, rescued (taken beyond the slots:
// nobody else can reach it), is no barren child however long it has none.
TEST_F(SourceEngineTest, ARescuedChildIsKeptThoughItPassesTheStripeToNobody) {
  greet_from(*engine_, key_, ConnId(1), {"203.0.113.1", 40001}, 7001, "192.168.1.11", now_);
  greet(ConnId(2));
  stands(*engine_, ConnId(1), {255, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  stands(*engine_, ConnId(2), {255, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  publish(0);  // rescues 1
  ASSERT_EQ(subscribe(ConnId(1), 0b0001, true).at(ConnId(1)).pushing, 0b0001);
  stands(*engine_, ConnId(1), {1, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  for (uint64_t seq = 1; seq < 5; ++seq, now_ += 5s)
    EXPECT_EQ(stripes_pushed(publish(seq))[ConnId(1)], 0b0001) << "chunk " << seq;
}

TEST_F(SourceEngineTest, ABarrenChildIsKeptWhileNobodyLacksTheStripe) {
  greet(ConnId(1));
  greet(ConnId(2));
  subscribe(ConnId(1), 0b0001, true);
  stands(*engine_, ConnId(1), {1, 255, 255, 255}, {kTakesNobody, 0, 0, 0}, 0, now_);
  stands(*engine_, ConnId(2), {2, 2, 2, 2}, {0, 0, 0, 0}, 0, now_);  // has a parent elsewhere
  for (uint64_t seq = 0; seq < 4; ++seq, now_ += 5s)
    EXPECT_EQ(stripes_pushed(publish(seq))[ConnId(1)], 0b0001) << "chunk " << seq;
}

TEST_F(SourceEngineTest, AChildWithADescendantIsKeptWhileOthersLackTheStripe) {
  greet(ConnId(1));
  greet(ConnId(2));
  greet(ConnId(3));
  subscribe(ConnId(1), 0b0001, true);
  stands(*engine_, ConnId(1), {1, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  // 2 hangs below 1 in stripe 0; 3 has no parent there.
  stands(*engine_, ConnId(2), {2, 255, 255, 255}, {0, 0, 0, 0},
         StripeTree::filter_bits(PeerId(101)) | StripeTree::filter_bits(PeerId(102)), now_);
  stands(*engine_, ConnId(3), {255, 255, 255, 255}, {0, 0, 0, 0}, 0, now_);
  for (uint64_t seq = 0; seq < 4; ++seq, now_ += 5s)
    EXPECT_EQ(stripes_pushed(publish(seq))[ConnId(1)], 0b0001) << "chunk " << seq;
}

}  // namespace
}  // namespace shoal
