// The viewer's runner over a fake transport and clock: what it dials and
// redials, how it carries out its engine's actions, what it counts, and how
// it leaves. The same runner runs in `shoal peer` and in the simulation.
#include "peer/peer_runner.h"

#include <gtest/gtest.h>

#include <set>

#include "fake_transport.h"
#include "peer/buffer_map.h"
#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::kEpoch;
using testing::make_chunk;
using testing::shared_chunk;

const Endpoint kSourceAt{"10.0.0.1", 7000};

class PeerRunnerTest : public ::testing::Test {
 protected:
  PeerOptions options() const {
    return {.channel = key_.channel(), .source = kSourceAt, .self = PeerId(5), .listen_port = 7001};
  }
  void make(PeerOptions o) {
    runner_ = std::make_unique<PeerRunner>(t_, o, [this](const Chunk& c) {
      played_.push_back(c.seq);
    });
  }

  // Starts the runner and lets the source answer its dial, greet it with
  // chunks [0, count) held and tell it the time: `ours_ahead` behind the
  // viewer's wall clock.
  ConnId join_source(uint64_t count, std::chrono::milliseconds ours_ahead = 0ms) {
    runner_->start();
    const ConnId source = t_.connect(kSourceAt);
    t_.node().on_message(source, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, 40);
    t_.finish_writes();
    for (const TimeQueryMsg& q : t_.sent<TimeQueryMsg>(source)) {
      const int64_t at = (t_.wall_now() - ours_ahead).time_since_epoch().count();
      t_.node().on_message(source, TimeReplyMsg{q.sent, at, at, 0}, 30);
    }
    BufferMap map;
    for (uint64_t s = 0; s < count; ++s) map.add(ChunkSeq(s), true);
    BufferMapMsg m = map.to_message(ChunkSeq(0), 120);
    m.stream_rate = 160'000;
    m.newest_capture = make_chunk(key_, count - 1).capture_time;
    m.newest_duration_ms = 500;
    t_.node().on_message(source, m, 60);
    return source;
  }

  ChannelKey key_ = testing::test_key();
  // The fake wall clock starts 5 s after chunk 0 was captured.
  FakeTransport t_{kEpoch + 5s};
  std::unique_ptr<PeerRunner> runner_;
  std::vector<ChunkSeq> played_;
};

TEST_F(PeerRunnerTest, StartsAcceptingAndDialsTheSource) {
  make(options());
  EXPECT_TRUE(t_.dials.empty());
  runner_->start();
  EXPECT_TRUE(t_.accepting);
  EXPECT_EQ(t_.dials, std::vector{kSourceAt});
}

TEST_F(PeerRunnerTest, GreetsTheSourceFetchesAndPlaysOnTime) {
  make(options());
  const ConnId source = join_source(10);
  t_.finish_writes();
  ASSERT_EQ(t_.sent<Hello>(source).size(), 1u);
  EXPECT_EQ(t_.sent<Hello>(source)[0].listen_port, 7001);
  const auto requests = t_.sent<RequestMsg>(source);
  ASSERT_FALSE(requests.empty());
  // The source answers every request, and keeps publishing.
  for (uint64_t s = requests.front().seq.value; s < 20; ++s) {
    t_.node().on_message(source, ChunkMsg{shared_chunk(key_, s)}, 300);
    t_.advance(100ms);
    t_.finish_writes();
  }
  t_.advance(3s);
  ASSERT_FALSE(played_.empty());
  for (size_t i = 1; i < played_.size(); ++i) EXPECT_EQ(played_[i], played_[i - 1].next());
  const PeerReport r = runner_->report();
  EXPECT_EQ(r.chunks_due, r.chunks_on_time);
  ASSERT_TRUE(r.startup_ms);
  EXPECT_GT(*r.startup_ms, 0);
  EXPECT_GT(r.traffic.from_source, 0u);
  EXPECT_EQ(r.traffic.from_peers(), 0u);
}

// Its wall clock is 7 s ahead of the source's, then stepped back 10 s: it
// plays on the source's clock all along.
TEST_F(PeerRunnerTest, PlaysOnTheSourcesClockWhateverItsOwnWallClockSays) {
  FakeTransport skewed{kEpoch + 5s + 7s};
  runner_ = std::make_unique<PeerRunner>(skewed, options(), [this](const Chunk& c) {
    played_.push_back(c.seq);
  });
  runner_->start();
  const ConnId source = skewed.connect(kSourceAt);
  skewed.node().on_message(source, Hello{kProtocolVersion, key_.channel(), PeerId(1), 0}, 40);
  skewed.finish_writes();
  const auto queries = skewed.sent<TimeQueryMsg>(source);
  ASSERT_EQ(queries.size(), 1u);
  const int64_t at = (kEpoch + 5s).time_since_epoch().count();
  skewed.node().on_message(source, TimeReplyMsg{queries[0].sent, at, at, 0}, 30);
  EXPECT_EQ(runner_->clock_offset(), 7000ms);
  skewed.step_wall_clock(-10s);
  EXPECT_EQ(runner_->clock_offset(), -3000ms);
  // Chunk 8, captured at kEpoch + 4 s on the source's clock, plays 3 s later.
  skewed.node().on_message(source, ChunkMsg{shared_chunk(key_, 8)}, 300);
  skewed.advance(1999ms);
  EXPECT_TRUE(played_.empty());
  skewed.advance(1ms);
  EXPECT_EQ(played_, std::vector{ChunkSeq(8)});
  EXPECT_EQ(runner_->report().lag_ms, std::vector<int64_t>{3000});
  EXPECT_EQ(runner_->report().clock_offset_ms, -3000ms);
  runner_.reset();
}

TEST_F(PeerRunnerTest, RedialsTheSourceASecondAfterLosingIt) {
  make(options());
  const ConnId source = join_source(4);
  t_.node().on_closed(source, "closed by remote");
  EXPECT_EQ(t_.dials.size(), 1u);
  t_.advance(999ms);
  EXPECT_EQ(t_.dials.size(), 1u);
  t_.advance(1ms);
  EXPECT_EQ(t_.dials, (std::vector{kSourceAt, kSourceAt}));
}

TEST_F(PeerRunnerTest, RedialsASourceThatCannotBeReached) {
  make(options());
  runner_->start();
  t_.node().on_dial_failed(kSourceAt, {"connection refused"});
  t_.advance(1s);
  EXPECT_EQ(t_.dials.size(), 2u);
}

TEST_F(PeerRunnerTest, NeverRedialsASourceThatSentABadChunk) {
  make(options());
  const ConnId source = join_source(4);
  Chunk forged = make_chunk(key_, 3);
  forged.payload[0] ^= 1;
  t_.node().on_message(source, ChunkMsg{std::make_shared<const Chunk>(forged)}, 300);
  t_.finish_writes();
  EXPECT_TRUE(t_.closed.contains(source));
  t_.advance(5s);
  EXPECT_EQ(t_.dials.size(), 1u);
  EXPECT_EQ(runner_->report().chunks_rejected, 1u);
}

TEST_F(PeerRunnerTest, DialsThePeersDiscoveryFindsButNeverTheSourceAsAPeer) {
  make(options());
  runner_->start();
  const std::vector<Endpoint> found{{"10.0.0.2", 7001}, kSourceAt, {"10.0.0.3", 7001}};
  runner_->found_peers(found);
  ASSERT_EQ(t_.dials.size(), 3u);
  EXPECT_EQ(t_.dials[0], kSourceAt);
  const std::set<std::string> peers{t_.dials[1].to_string(), t_.dials[2].to_string()};
  EXPECT_EQ(peers, (std::set<std::string>{"10.0.0.2:7001", "10.0.0.3:7001"}));
}

TEST_F(PeerRunnerTest, CountsChunkBytesByWhoSentThem) {
  make(options());
  const ConnId source = join_source(4);
  const ConnId peer = t_.accept({"10.0.0.2", 40000});
  t_.node().on_message(peer, Hello{kProtocolVersion, key_.channel(), PeerId(9), 7001}, 40);
  t_.node().on_message(source, ChunkMsg{shared_chunk(key_, 0)}, 300);
  t_.node().on_message(peer, ChunkMsg{shared_chunk(key_, 1)}, 301);
  const PeerTraffic traffic = runner_->traffic();
  EXPECT_EQ(traffic.from_source, 300u);
  EXPECT_EQ(traffic.from_peers(), 301u);
  EXPECT_EQ(traffic.total.control_in, 40u + 30u + 60u + 40u);  // HELLO, TIME_REPLY, map, HELLO
  // What a link moved is kept once it is gone.
  t_.node().on_closed(peer, "closed by remote");
  EXPECT_EQ(runner_->traffic().from_peers(), 301u);
}

TEST_F(PeerRunnerTest, ANeighbourOverThePerAddressCapIsClosedAtOnce) {
  PeerOptions o = options();
  o.limits.max_per_address = 1;
  make(o);
  runner_->start();
  const ConnId first = t_.accept({"10.0.0.2", 40000});
  const ConnId second = t_.accept({"10.0.0.2", 40001});
  EXPECT_FALSE(t_.closed.contains(first));
  EXPECT_TRUE(t_.closed.contains(second));
  EXPECT_EQ(runner_->refused(), 1u);
}

TEST_F(PeerRunnerTest, LeavingSaysByeToEveryNeighbourAndAcceptsNoMore) {
  make(options());
  const ConnId source = join_source(4);
  const ConnId peer = t_.accept({"10.0.0.2", 40000});
  runner_->stop();
  EXPECT_FALSE(t_.accepting);
  t_.finish_writes();
  EXPECT_EQ(t_.sent<ByeMsg>(source).size(), 1u);
  EXPECT_EQ(t_.sent<ByeMsg>(peer).size(), 1u);
  EXPECT_TRUE(t_.closed.contains(source));
  EXPECT_TRUE(t_.closed.contains(peer));
  // Nothing more happens: no redial, no wake-up.
  t_.advance(5s);
  EXPECT_EQ(t_.dials.size(), 1u);
  EXPECT_EQ(t_.armed_timers(), 0u);
}

}  // namespace
}  // namespace shoal
