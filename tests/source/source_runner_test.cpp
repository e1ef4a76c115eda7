// The broadcaster's runner over a fake transport and clock: it signs what it
// publishes, counts it, follows the stream with a relative upload limit, and
// says goodbye. The same runner runs in `shoal source` and in the simulation.
#include "source/source_runner.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "overlay/wire/codec.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;

// An unsigned 500 ms chunk of `bytes`, captured now.
Chunk raw_chunk(uint64_t seq, size_t bytes, WallTime now) {
  Chunk c;
  c.seq = ChunkSeq(seq);
  c.capture_time = now;
  c.duration_ms = 500;
  c.flags = Chunk::kRandomAccess;
  c.payload.assign(bytes, 0x47);
  return c;
}

class SourceRunnerTest : public ::testing::Test {
 protected:
  void make(SourceOptions o = {.self = PeerId(1)}) {
    runner_ = std::make_unique<SourceRunner>(t_, key_, o);
    runner_->start();
  }
  // A viewer connects, greets, and asks to be pushed every stripe.
  ConnId viewer(const std::string& host) {
    const ConnId v = t_.accept({host, 40000});
    t_.node().on_message(v, Hello{kProtocolVersion, key_.channel(), PeerId(7), 7001}, 40);
    t_.node().on_message(
        v, SubscribeMsg{.stripes = kAllStripes, .heads = true, .home = 0, .slots = 5, .ask = 1}, 40);
    return v;
  }

  ChannelKey key_ = ChannelKey::generate();
  FakeTransport t_;
  std::unique_ptr<SourceRunner> runner_;
};

TEST_F(SourceRunnerTest, SignsWhatItPublishesAndCountsOneCopyOfIt) {
  make();
  EXPECT_TRUE(t_.accepting);
  const ConnId v = viewer("10.0.0.2");
  const Chunk chunk = raw_chunk(0, 1880, t_.wall_now());
  runner_->publish(chunk);
  // The pieces leave one write after another.
  for (int i = 0; i < 8; ++i) {
    t_.finish_writes();
    t_.advance(10ms);
  }
  const auto heads = t_.sent<ChunkHeadMsg>(v);
  ASSERT_EQ(heads.size(), 1u) << "the only viewer takes the push";
  EXPECT_TRUE(verify_head(key_.channel(), heads[0].head));
  const auto pieces = t_.sent<PieceMsg>(v);
  ASSERT_EQ(pieces.size(), kStripes);  // 1880 bytes make one piece per stripe
  ASSERT_TRUE(pieces[0].whole);
  EXPECT_TRUE(verify_chunk(key_.channel(), *pieces[0].whole));
  const SourceStats s = runner_->stats();
  EXPECT_EQ(s.chunks_published, 1u);
  EXPECT_EQ(s.chunk_bytes_published, 1880u);
  EXPECT_EQ(s.copy_bytes, frame_size(ChunkMsg{pieces[0].whole}));
  // Chunk data counts: the pieces, not the head.
  size_t piece_bytes = 0;
  for (const PieceMsg& p : pieces) piece_bytes += frame_size(p);
  EXPECT_EQ(s.bytes_uploaded, piece_bytes);
  EXPECT_EQ(s.viewers, 1u);
}

TEST_F(SourceRunnerTest, ARelativeUploadLimitFollowsTheStreamItPublishes) {
  make({.self = PeerId(1), .upload = {.stream_multiple = 2}});
  for (uint64_t s = 0; s < 4; ++s) runner_->publish(raw_chunk(s, 50'000, t_.wall_now()));
  // 50 000 bytes every 500 ms: 100 000 bytes/s.
  EXPECT_EQ(runner_->engine().upload_capacity(), 200'000.0);
}

TEST_F(SourceRunnerTest, WhatViewersWhoLeftWereSentStillCounts) {
  make();
  const ConnId v = viewer("10.0.0.2");
  runner_->publish(raw_chunk(0, 1880, t_.wall_now()));
  t_.advance(10ms);
  t_.finish_writes();
  const uint64_t before = runner_->stats().bytes_uploaded;
  EXPECT_GT(before, 0u);
  t_.node().on_closed(v, "closed by remote");
  EXPECT_EQ(runner_->stats().bytes_uploaded, before);
  EXPECT_EQ(runner_->stats().viewers, 0u);
}

TEST_F(SourceRunnerTest, RecordsItsLoadEverySecondOnTheTransportsClockUntilStopped) {
  make();
  t_.advance(1s);
  const ConnId v = viewer("10.0.0.2");
  runner_->publish(raw_chunk(0, 1880, t_.wall_now()));
  for (int i = 0; i < 8; ++i) {
    t_.finish_writes();
    t_.advance(10ms);
  }
  t_.node().on_message(v, HaveMsg{{ChunkSeq(0)}}, 20);
  t_.advance(1s);
  const SourceStats stats = runner_->stats();
  const auto& seconds = stats.history.seconds();
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].end_s, 1);
  EXPECT_EQ(seconds[0].viewers, 0u);
  EXPECT_EQ(seconds[0].bytes_uploaded, 0u);
  EXPECT_EQ(seconds[1].end_s, 2);
  EXPECT_EQ(seconds[1].viewers, 1u);
  EXPECT_EQ(seconds[1].bytes_uploaded, stats.bytes_uploaded);
  EXPECT_EQ(seconds[1].bytes_delivered, 1880u);
  runner_->stop();
  t_.advance(5s);
  EXPECT_EQ(runner_->stats().history.seconds().size(), 2u);
}

TEST_F(SourceRunnerTest, StoppingSaysByeToEveryViewerAndAcceptsNoMore) {
  make();
  const ConnId a = viewer("10.0.0.2");
  const ConnId b = viewer("10.0.0.3");
  runner_->stop();
  EXPECT_FALSE(t_.accepting);
  t_.finish_writes();
  EXPECT_EQ(t_.sent<ByeMsg>(a).size(), 1u);
  EXPECT_EQ(t_.sent<ByeMsg>(b).size(), 1u);
  EXPECT_TRUE(t_.closed.contains(a) && t_.closed.contains(b));
  runner_->publish(raw_chunk(0, 1880, t_.wall_now()));
  EXPECT_EQ(runner_->stats().chunks_published, 0u);
}

}  // namespace
}  // namespace shoal
