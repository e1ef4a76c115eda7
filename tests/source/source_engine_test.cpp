// The source greets viewers of its channel only, announces every new chunk,
// pushes each new chunk to the viewer(s) with the most spare upload so that
// peers, not the source, multiply the stream (DESIGN §5), and serves requests
// from its window through a narrow uplink pipe.
#include "source/source_engine.h"

#include <gtest/gtest.h>

#include <map>

#include "../peer/test_chunks.h"

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

  // The viewer's BUFFER_MAP, which reports the upload it could still add.
  Actions report_spare(ConnId conn, uint64_t bytes_per_second) {
    BufferMapMsg map = BufferMap{}.to_message(ChunkSeq(0), 4);
    map.spare_upload = bytes_per_second;
    return engine_->on_message(conn, map, now_);
  }

  Actions publish(uint64_t seq) { return engine_->publish(shared_chunk(key_, seq), now_); }

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
  ASSERT_EQ(out.size(), 1u);
  const auto& map = std::get<BufferMapMsg>(std::get<SendAction>(out[0]).msg);
  BufferMap m;
  ASSERT_TRUE(m.assign(map));
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
  const auto out = greet(ConnId(3), 7003);
  ASSERT_EQ(out.size(), 2u);
  const auto& pex = std::get<PexMsg>(std::get<SendAction>(out[1]).msg);
  EXPECT_EQ(pex.addrs, std::vector<std::string>{"127.0.0.1:7001"});
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
  ASSERT_EQ(out.size(), 1u);
  const auto& send = std::get<SendAction>(out[0]);
  EXPECT_EQ(send.to, ConnId(1));
  const auto& have = std::get<HaveMsg>(send.msg);
  EXPECT_EQ(have.seqs, std::vector{ChunkSeq(0)});
  EXPECT_EQ(have.random_access, std::vector{ChunkSeq(0)});
}

TEST_F(SourceEngineTest, PushesEachNewChunkToTheViewerWithTheMostSpareUpload) {
  for (uint64_t c = 1; c <= 3; ++c) greet(ConnId(c));
  report_spare(ConnId(1), 100'000);
  report_spare(ConnId(2), 500'000);
  report_spare(ConnId(3), 300'000);
  const auto out = publish(0);
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(2), {0}}}));
  // Everyone else hears of it; the viewer it was pushed to needs no HAVE.
  EXPECT_EQ(haves_sent(out), (PerConn{{ConnId(1), {0}}, {ConnId(3), {0}}}));
}

TEST_F(SourceEngineTest, PushesToPushCopiesViewers) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4, .push_copies = 2});
  for (uint64_t c = 1; c <= 4; ++c) greet(ConnId(c));
  report_spare(ConnId(1), 400'000);
  report_spare(ConnId(2), 100'000);
  report_spare(ConnId(3), 300'000);
  report_spare(ConnId(4), 200'000);
  const auto out = publish(0);
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(1), {0}}, {ConnId(3), {0}}}));
  EXPECT_EQ(haves_sent(out), (PerConn{{ConnId(2), {0}}, {ConnId(4), {0}}}));
}

TEST_F(SourceEngineTest, PushesNothingToViewersThatReportNoSpareUpload) {
  greet(ConnId(1));
  greet(ConnId(2));
  report_spare(ConnId(2), 0);  // and 1 has reported nothing yet
  for (uint64_t s = 0; s < 5; ++s) {
    const auto out = publish(s);
    EXPECT_TRUE(chunks_sent(out).empty()) << "chunk " << s;
    EXPECT_EQ(haves_sent(out).size(), 2u);
  }
}

TEST_F(SourceEngineTest, NeverPushesToAViewerReportingZeroWhileOthersHaveSpare) {
  greet(ConnId(1));
  greet(ConnId(2));
  report_spare(ConnId(1), 0);
  report_spare(ConnId(2), 1);  // barely any, and soon less than nothing after pushes
  for (uint64_t s = 0; s < 8; ++s) {
    const auto pushed = chunks_sent(publish(s));
    EXPECT_FALSE(pushed.contains(ConnId(1))) << "chunk " << s;
  }
}

TEST_F(SourceEngineTest, FollowsTheLatestSpareUploadReported) {
  greet(ConnId(1));
  greet(ConnId(2));
  report_spare(ConnId(1), 500'000);
  report_spare(ConnId(2), 100'000);
  EXPECT_EQ(chunks_sent(publish(0)), (PerConn{{ConnId(1), {0}}}));
  report_spare(ConnId(1), 0);  // its uplink filled up
  EXPECT_EQ(chunks_sent(publish(1)), (PerConn{{ConnId(2), {1}}}));
}

TEST_F(SourceEngineTest, PushesTheNextChunkElsewhereWhileTheFirstHolderIsPassingItsOn) {
  greet(ConnId(1));
  greet(ConnId(2));
  report_spare(ConnId(1), 1000);  // 188-byte chunks: passing one on twice takes 376 ms
  report_spare(ConnId(2), 500);   // and 752 ms here
  EXPECT_EQ(chunks_sent(publish(0)), (PerConn{{ConnId(1), {0}}}));
  now_ += 100ms;
  EXPECT_EQ(chunks_sent(publish(1)), (PerConn{{ConnId(2), {1}}}));
  now_ += 400ms;  // 1 is free again, 2 still busy
  EXPECT_EQ(chunks_sent(publish(2)), (PerConn{{ConnId(1), {2}}}));
}

TEST_F(SourceEngineTest, PushesTheChunksPublishedBeforeAnyViewerCameAsViewersCome) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 20});
  for (uint64_t s = 0; s <= 5; ++s) publish(s);  // captured 0-2.5 s: 1-5 within the 2 s backlog
  now_ = kEpoch + 3s;
  greet(ConnId(1));
  EXPECT_EQ(chunks_sent(report_spare(ConnId(1), 1000)), (PerConn{{ConnId(1), {5}}}));
  // One at a time: it is passing chunk 5 on for the next 376 ms.
  EXPECT_TRUE(chunks_sent(report_spare(ConnId(1), 1000)).empty());
  for (uint64_t c = 2; c <= 5; ++c) {
    greet(ConnId(c));
    EXPECT_EQ(chunks_sent(report_spare(ConnId(c), 1000)), (PerConn{{ConnId(c), {6 - c}}}));
  }
  now_ += 400ms;  // everyone is free again, and the backlog is all in the swarm
  EXPECT_TRUE(chunks_sent(report_spare(ConnId(1), 1000)).empty());
}

TEST_F(SourceEngineTest, SpreadsPushesAcrossEquallySpareViewers) {
  reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 20});
  for (uint64_t c = 1; c <= 3; ++c) {
    greet(ConnId(c));
    report_spare(ConnId(c), 200'000);
  }
  std::map<ConnId, int> pushes;
  for (uint64_t s = 0; s < 6; ++s) {
    now_ = kEpoch + 500ms * s;
    const auto pushed = chunks_sent(publish(s));
    ASSERT_EQ(pushed.size(), 1u) << "chunk " << s;
    ++pushes[pushed.begin()->first];
    engine_->on_chunk_sent(pushed.begin()->first, now_);
  }
  EXPECT_EQ(pushes, (std::map<ConnId, int>{{ConnId(1), 2}, {ConnId(2), 2}, {ConnId(3), 2}}));
}

TEST_F(SourceEngineTest, TheFirstPushAmongEquallySpareViewersIsNotAlwaysTheSame) {
  std::set<ConnId> first;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    reconfigure({.channel = key_.channel(), .self = PeerId(0), .window_chunks = 4, .seed = seed});
    for (uint64_t c = 1; c <= 3; ++c) {
      greet(ConnId(c));
      report_spare(ConnId(c), 200'000);
    }
    const auto pushed = chunks_sent(publish(0));
    ASSERT_EQ(pushed.size(), 1u);
    first.insert(pushed.begin()->first);
  }
  EXPECT_GT(first.size(), 1u);
}

// --- serving requests ---

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

TEST_F(SourceEngineTest, APushedChunkTakesRoomInTheUplinkPipe) {
  greet(ConnId(1));
  greet(ConnId(2));
  report_spare(ConnId(1), 500'000);
  publish(0);
  ASSERT_EQ(chunks_sent(publish(1)), (PerConn{{ConnId(1), {1}}}));  // two pushes in the link
  EXPECT_TRUE(chunks_sent(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(0)}, now_)).empty());
  EXPECT_EQ(chunks_sent(engine_->on_chunk_sent(ConnId(1), now_)), (PerConn{{ConnId(2), {0}}}));
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
  report_spare(ConnId(1), 500'000);
  report_spare(ConnId(2), 100'000);
  engine_->on_disconnected(ConnId(1));
  EXPECT_EQ(engine_->viewers(), 1u);
  const auto out = publish(0);
  EXPECT_EQ(chunks_sent(out), (PerConn{{ConnId(2), {0}}}));
  EXPECT_TRUE(haves_sent(out).empty());
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
  report_spare(ConnId(1), 500'000);
  ASSERT_EQ(chunks_sent(publish(0)), (PerConn{{ConnId(1), {0}}}));  // the pipe is full
  ASSERT_TRUE(chunks_sent(engine_->on_message(ConnId(2), RequestMsg{ChunkSeq(0)}, now_)).empty());
  // Viewer 1 goes; its chunk will never be reported sent. By the next chunk
  // published at the latest, viewer 2's request must be on its way.
  Actions out = actions_of([&] { return engine_->on_disconnected(ConnId(1)); });
  for (Action& a : publish(1)) out.push_back(std::move(a));
  EXPECT_EQ(chunks_sent(out)[ConnId(2)], (std::vector<uint64_t>{0}));
}

}  // namespace
}  // namespace shoal
