// The playout plays each chunk at capture time + lag and skips, rather than
// waits for, a chunk that is missing at its deadline; a start that never came
// is dropped for a later one, since playback has not begun.
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
};

TEST_F(PlayoutTest, PlaysAChunkAtCaptureTimePlusLag) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  const WallTime due = kEpoch + 5000ms + 1500ms;
  EXPECT_TRUE(playout_.tick(due - 1ms, store_).empty());
  const auto events = playout_.tick(due, store_);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(10));
  EXPECT_NE(events[0].chunk, nullptr);
  EXPECT_EQ(playout_.cursor(), ChunkSeq(11));
}

TEST_F(PlayoutTest, WaitsForTheFirstChunkBeforeAnyDeadlineExists) {
  playout_.start_at(ChunkSeq(10));
  EXPECT_FALSE(playout_.deadline(ChunkSeq(10), store_));
  EXPECT_TRUE(playout_.tick(kEpoch + 1h, store_).empty());
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
  ASSERT_EQ(playout_.tick(kEpoch + 6500ms, store_).size(), 1u);
  // Chunk 11 never came: its deadline is extrapolated from chunk 10.
  EXPECT_EQ(playout_.deadline(ChunkSeq(11), store_), kEpoch + 7000ms);
  const auto events = playout_.tick(kEpoch + 7000ms, store_);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(11));
  EXPECT_EQ(events[0].chunk, nullptr);
  // Chunk 12 plays on its own schedule right after.
  const auto next = playout_.tick(kEpoch + 7500ms, store_);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].chunk, nullptr);
}

TEST_F(PlayoutTest, KeepsSkippingOnScheduleWhenTheStreamStops) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  const auto events = playout_.tick(kEpoch + 6500ms + 2000ms, store_);
  ASSERT_EQ(events.size(), 5u);  // 10 played, 11..14 skipped
  EXPECT_EQ(std::ranges::count_if(events, [](const auto& e) { return e.chunk == nullptr; }), 4);
}

TEST_F(PlayoutTest, ALateChunkThatArrivesAfterItsSkipIsNotPlayed) {
  hold(10);
  playout_.start_at(ChunkSeq(10));
  playout_.tick(kEpoch + 7000ms, store_);  // plays 10, skips 11
  hold(11);
  hold(12);
  const auto events = playout_.tick(kEpoch + 7500ms, store_);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, ChunkSeq(12));
}

TEST_F(PlayoutTest, AStartMissingAtItsDeadlineIsDroppedNotCountedAsASkip) {
  hold(11);
  playout_.start_at(ChunkSeq(10));
  // Chunk 10's deadline is extrapolated from chunk 11: 6500 ms.
  EXPECT_TRUE(playout_.tick(kEpoch + 6500ms, store_).empty());
  EXPECT_FALSE(playout_.started());
  playout_.start_at(ChunkSeq(11));
  const auto events = playout_.tick(kEpoch + 7000ms, store_);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].chunk, nullptr);
}

}  // namespace
}  // namespace shoal
