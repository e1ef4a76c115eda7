// Where a joining viewer starts: the oldest random-access chunk it can still
// fetch in time, with more time when only the source holds it; and what it
// fetches first before it knows the timeline.
#include "peer/start_point.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

// Chunks [first, last] held, all random-access.
BufferMap holding(uint64_t first, uint64_t last) {
  BufferMap m;
  for (uint64_t s = first; s <= last; ++s) m.add(ChunkSeq(s), true);
  return m;
}

class StartPointTest : public ::testing::Test {
 protected:
  StartPointTest() {
    // The source said chunk 9 was captured at kEpoch + 4.5 s: chunk s is due
    // at kEpoch + 500 ms * s + 3 s.
    playout_.hint(ChunkSeq(9), kEpoch + 4500ms, 500ms);
  }
  std::optional<ChunkSeq> choose(WallTime now) {
    return choose_start_point(store_, playout_, holders_, {}, StartConfig{}, now);
  }

  ChunkStore store_{120};
  Playout playout_{3000ms};
  BufferMap at_source_ = holding(0, 9);
  BufferMap at_peer_ = holding(0, 8);
  std::vector<StartHolder> holders_{{.is_source = true, .serves_us = true, .map = &at_source_},
                                    {.is_source = false, .serves_us = true, .map = &at_peer_}};
};

TEST_F(StartPointTest, StartsAtTheOldestChunkAPeerHoldsDueBeyondTheMargin) {
  // At kEpoch + 5 s: chunk 6 is due at +6 s, 1 s ahead, more than 700 ms.
  // Chunk 5 is due in 500 ms: too soon.
  EXPECT_EQ(choose(kEpoch + 5s), ChunkSeq(6));
}

TEST_F(StartPointTest, AChunkOnlyTheSourceHoldsNeedsTheLongerMargin) {
  holders_[1].map = &(at_peer_ = holding(0, 4));
  // 5 and later only at the source: 6 is due 999 ms ahead, under the
  // source's margin (1 s); 7 is the first with room for a second try.
  EXPECT_EQ(choose(kEpoch + 5001ms), ChunkSeq(7));
}

TEST_F(StartPointTest, ChoosesNothingUntilAPeerServesIt) {
  holders_[1].serves_us = false;
  EXPECT_FALSE(choose(kEpoch + 5s));
}

TEST_F(StartPointTest, AStartPointHeldAlreadyNeedsNoMargin) {
  store_.add(testing::shared_chunk(testing::test_key(), 5));
  EXPECT_EQ(choose(kEpoch + 5400ms), ChunkSeq(5));
}

TEST_F(StartPointTest, ProbesAStartPointAPeerHoldsRatherThanTheNewest) {
  const BufferMap peer = holding(6, 8), source = holding(0, 9);
  const std::vector<Candidate> candidates{{ConnId(1), true, &source}, {ConnId(2), false, &peer}};
  EXPECT_EQ(start_probe(candidates, ChunkSeq(9)), ChunkSeq(8));
  // A peer's start points more than two behind the newest do not count.
  const BufferMap old = holding(0, 6);
  const std::vector<Candidate> stale{{ConnId(1), true, &source}, {ConnId(2), false, &old}};
  EXPECT_EQ(start_probe(stale, ChunkSeq(9)), ChunkSeq(9));
  EXPECT_FALSE(start_probe(candidates, std::nullopt));
}

}  // namespace
}  // namespace shoal
