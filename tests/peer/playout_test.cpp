// The playout plays each chunk at capture time + lag and skips, rather than
// waits for, a chunk that is missing at its deadline; a start that never came
// is dropped for a later one, since playback has not begun. At the live edge
// (a publisher paused) it waits, and resumes on the new chunks' own times.
#include "peer/playout.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;
using testing::shared_chunk;

class PlayoutTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  ChunkStore store_{120};
  Playout playout_{1500ms};

  void hold(uint64_t seq) { store_.add(shared_chunk(key_, seq)); }
  // Neighbours hold chunks well past anything these tests play.
  std::vector<PlayoutEvent> tick(WallTime now, std::optional<ChunkSeq> edge = ChunkSeq(100)) {
    return playout_.tick(now, store_, edge);
  }
};

TEST_F(PlayoutTest, PlaysAChunkAtCaptureTimePlusLag) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  const WallTime due = kEpoch + 5000ms + 1500ms;
  EXPECT_TRUE(tick(due - 1ms).empty());
  const auto events = tick(due);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(10));
  EXPECT_NE(events[0].chunk, nullptr);
  EXPECT_EQ(playout_.cursor(), ChunkSeq(11));
}

TEST_F(PlayoutTest, WaitsForTheFirstChunkBeforeAnyDeadlineExists) {
  playout_.start_at(ChunkSeq(10));
  EXPECT_FALSE(playout_.deadline(ChunkSeq(10), store_));
  EXPECT_TRUE(tick(kEpoch + 1h).empty());
}

TEST_F(PlayoutTest, TheSourcesWordFixesTheTimelineBeforeAnyChunkIsHeld) {
  playout_.hint(ChunkSeq(10), kEpoch + 5000ms, 500ms);
  EXPECT_EQ(playout_.deadline(ChunkSeq(8), store_), kEpoch + 4000ms + 1500ms);
  EXPECT_EQ(playout_.deadline(ChunkSeq(12), store_), kEpoch + 6000ms + 1500ms);
  playout_.hint(ChunkSeq(9), kEpoch, 500ms);  // older word: ignored
  EXPECT_EQ(playout_.deadline(ChunkSeq(12), store_), kEpoch + 6000ms + 1500ms);
}

TEST_F(PlayoutTest, AChunkHeldOutranksTheSourcesWord) {
  playout_.hint(ChunkSeq(10), kEpoch + 9000ms, 500ms);  // 4 s off
  hold(11);
  EXPECT_EQ(playout_.deadline(ChunkSeq(11), store_), kEpoch + 5500ms + 1500ms);
  EXPECT_EQ(playout_.deadline(ChunkSeq(12), store_), kEpoch + 6000ms + 1500ms);
}

TEST_F(PlayoutTest, SkipsAChunkMissedAtItsDeadlineInsteadOfStalling) {
  hold(10);
  hold(12);
  playout_.start_at(ChunkSeq(10));
  ASSERT_EQ(tick(kEpoch + 6500ms).size(), 1u);
  // Chunk 11 never came: its deadline is extrapolated from chunk 10.
  EXPECT_EQ(playout_.deadline(ChunkSeq(11), store_), kEpoch + 7000ms);
  const auto events = tick(kEpoch + 7000ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(11));
  EXPECT_EQ(events[0].chunk, nullptr);
  // Chunk 12 plays on its own schedule right after.
  const auto next = tick(kEpoch + 7500ms);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].chunk, nullptr);
}

TEST_F(PlayoutTest, KeepsSkippingOnScheduleWhileNeighboursHoldLaterChunks) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  const auto events = tick(kEpoch + 6500ms + 2000ms);
  ASSERT_EQ(events.size(), 5u);  // 10 played, 11..14 skipped
  EXPECT_EQ(std::ranges::count_if(events, [](const auto& e) { return e.chunk == nullptr; }), 4);
}

TEST_F(PlayoutTest, WaitsAtTheLiveEdgeAndCountsNothingDue) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  ASSERT_EQ(tick(kEpoch + 6500ms, ChunkSeq(10)).size(), 1u);
  // Nobody holds 11: it is not skipped however long it takes.
  EXPECT_TRUE(tick(kEpoch + 60s, ChunkSeq(10)).empty());
  EXPECT_EQ(playout_.cursor(), ChunkSeq(11));
}

TEST_F(PlayoutTest, AfterAPauseNewChunksPlayAtTheirOwnCapturePlusLag) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  ASSERT_EQ(tick(kEpoch + 6500ms, ChunkSeq(10)).size(), 1u);
  EXPECT_TRUE(tick(kEpoch + 9000ms, ChunkSeq(10)).empty());
  // The publisher is back 30 s on: 11 is known, not yet here, and waits for
  // a chunk that says when the stream resumed.
  EXPECT_TRUE(tick(kEpoch + 40s, ChunkSeq(11)).empty());
  EXPECT_FALSE(playout_.deadline(ChunkSeq(11), store_));
  // 11 was lost; 12 came, captured 30 s later than the old timeline says.
  Chunk resumed = testing::make_chunk(key_, 12);
  resumed.capture_time = kEpoch + 36s;
  key_.sign(resumed);
  store_.add(std::make_shared<const Chunk>(std::move(resumed)));
  EXPECT_EQ(playout_.deadline(ChunkSeq(11), store_), kEpoch + 35500ms + 1500ms);
  const auto events = tick(kEpoch + 37500ms, ChunkSeq(12));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].chunk, nullptr);
  EXPECT_EQ(events[1].seq, ChunkSeq(12));
  EXPECT_EQ(events[1].deadline, kEpoch + 37500ms);
}

TEST_F(PlayoutTest, ALateChunkThatArrivesAfterItsSkipIsNotPlayed) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  tick(kEpoch + 7000ms);  // plays 10, skips 11
  hold(11);
  hold(12);
  const auto events = tick(kEpoch + 7500ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(12));
}

TEST_F(PlayoutTest, AStartMissingAtItsDeadlineIsDroppedNotCountedAsASkip) {
  hold(11);
  playout_.start_at(ChunkSeq(10));
  // Chunk 10's deadline is extrapolated from chunk 11: 6500 ms.
  EXPECT_TRUE(tick(kEpoch + 6500ms).empty());
  EXPECT_FALSE(playout_.started());
  playout_.start_at(ChunkSeq(11));
  const auto events = tick(kEpoch + 7000ms);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].chunk, nullptr);
}

}  // namespace
}  // namespace shoal
