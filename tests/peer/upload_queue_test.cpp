// The upload queue: requests wait first come, first served across
// neighbours; only `pipe` chunks are in the uplink at once, so a CANCEL or a
// choke can still withdraw the rest; a request its requester has given up on
// is not served; a seed request (a chunk only this peer can pass on yet)
// goes ahead of the common ones.
#include "peer/upload_queue.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const ConnId kA(1), kB(2), kC(3);

using Served = std::vector<std::pair<ConnId, ChunkSeq>>;

// Pops until the link is full or the queue empty, in the order served.
Served drain(UploadQueue& q, WallTime now) {
  Served out;
  while (const auto r = q.pop(now)) out.push_back({r->from, r->seq});
  return out;
}

TEST(UploadQueue, ServesRequestsFirstComeFirstServedAcrossNeighbours) {
  UploadQueue q(2000ms, 10);
  q.push(kA, ChunkSeq(5), kEpoch);
  q.push(kB, ChunkSeq(3), kEpoch + 1ms);
  q.push(kA, ChunkSeq(4), kEpoch + 2ms);
  q.push(kC, ChunkSeq(9), kEpoch + 3ms);
  EXPECT_EQ(drain(q, kEpoch + 10ms),
            (Served{{kA, ChunkSeq(5)}, {kB, ChunkSeq(3)}, {kA, ChunkSeq(4)}, {kC, ChunkSeq(9)}}));
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(UploadQueue, HandsOutAtMostPipeChunksUntilOneIsSent) {
  UploadQueue q(2000ms, 2);
  for (uint64_t s = 0; s < 4; ++s) q.push(kA, ChunkSeq(s), kEpoch);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kA, ChunkSeq(0)}, {kA, ChunkSeq(1)}}));
  EXPECT_EQ(q.in_link(), 2);
  EXPECT_EQ(q.waiting(), 2u);
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kA, ChunkSeq(2)}}));
  q.sent(kA);
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kA, ChunkSeq(3)}}));
  EXPECT_EQ(q.in_link(), 1);
}

TEST(UploadQueue, ThePipeIsSharedByAllNeighbours) {
  UploadQueue q(2000ms, 2);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kB, ChunkSeq(1), kEpoch);
  q.push(kC, ChunkSeq(1), kEpoch);
  EXPECT_EQ(drain(q, kEpoch).size(), 2u);
  q.sent(kB);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kC, ChunkSeq(1)}}));
}

TEST(UploadQueue, AChunkPushedUnaskedTakesRoomInTheLink) {
  UploadQueue q(2000ms, 2);
  q.pushed(kA);
  q.pushed(kB);
  q.push(kC, ChunkSeq(7), kEpoch);
  EXPECT_TRUE(drain(q, kEpoch).empty());
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kC, ChunkSeq(7)}}));
}

TEST(UploadQueue, CancelWithdrawsAQueuedRequestOnly) {
  UploadQueue q(2000ms, 1);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kA, ChunkSeq(2), kEpoch);
  q.push(kB, ChunkSeq(2), kEpoch);
  ASSERT_EQ(drain(q, kEpoch), (Served{{kA, ChunkSeq(1)}}));
  EXPECT_TRUE(q.cancel(kA, ChunkSeq(2)));
  EXPECT_FALSE(q.cancel(kA, ChunkSeq(1))) << "already in the link: nothing to withdraw";
  EXPECT_EQ(q.in_link(), 1);
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kB, ChunkSeq(2)}}));  // B's request for 2 stays
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(UploadQueue, ForgettingANeighbourDropsItsRequestsAndFreesItsShareOfTheLink) {
  UploadQueue q(2000ms, 2);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kA, ChunkSeq(2), kEpoch);
  q.push(kA, ChunkSeq(3), kEpoch);
  q.push(kB, ChunkSeq(1), kEpoch);
  ASSERT_EQ(drain(q, kEpoch).size(), 2u);  // A's 1 and 2 are in the link
  q.forget(kA);
  EXPECT_EQ(q.in_link(), 0);
  EXPECT_EQ(drain(q, kEpoch), (Served{{kB, ChunkSeq(1)}}));
  q.sent(kA);  // A's chunk leaving late does not free B's room
  EXPECT_EQ(q.in_link(), 1);
}

TEST(UploadQueue, ARequestOlderThanMaxAgeIsDroppedWhenItComesUp) {
  UploadQueue q(2000ms, 1);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kA, ChunkSeq(2), kEpoch + 1ms);
  q.push(kA, ChunkSeq(3), kEpoch + 500ms);
  EXPECT_EQ(drain(q, kEpoch + 2000ms), (Served{{kA, ChunkSeq(1)}}));  // exactly max_age: served
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch + 2002ms), (Served{{kA, ChunkSeq(3)}}));  // 2 is 2001 ms old
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(UploadQueue, ARequestIsDroppedOnceItsRequesterStoppedWaiting) {
  UploadQueue q(2000ms, 1);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kB, ChunkSeq(2), kEpoch, 300ms);
  q.push(kC, ChunkSeq(3), kEpoch, 5000ms);  // longer than max_age: max_age holds
  ASSERT_EQ(drain(q, kEpoch), (Served{{kA, ChunkSeq(1)}}));
  q.sent(kA);
  EXPECT_EQ(drain(q, kEpoch + 301ms), (Served{{kC, ChunkSeq(3)}}));  // B gave up on 2
  q.sent(kC);
  q.push(kC, ChunkSeq(4), kEpoch, 5000ms);
  EXPECT_TRUE(drain(q, kEpoch + 2001ms).empty());
}

TEST(UploadQueue, ARequestThatCouldNotBeThroughBeforeItsRequesterGivesUpIsDropped) {
  UploadQueue q(2000ms, 1);
  q.push(kA, ChunkSeq(1), kEpoch, 300ms, Priority::common, 0, 1000);  // 250 ms at 4000 bytes/s
  EXPECT_TRUE(q.drop_stale(kEpoch + 50ms, 4000).empty());
  EXPECT_TRUE(q.drop_stale(kEpoch + 100ms).empty()) << "on an unlimited uplink";
  ASSERT_EQ(q.drop_stale(kEpoch + 51ms, 4000).size(), 1u);
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(UploadQueue, ARepeatedRequestIsQueuedOnce) {
  UploadQueue q(2000ms, 5);
  q.push(kA, ChunkSeq(1), kEpoch);
  q.push(kA, ChunkSeq(1), kEpoch + 5ms);
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_EQ(drain(q, kEpoch + 10ms).size(), 1u);
}

TEST(UploadQueue, SentForANeighbourWithNothingInTheLinkChangesNothing) {
  UploadQueue q(2000ms, 1);
  q.pushed(kA);
  q.sent(kB);
  EXPECT_EQ(q.in_link(), 1);
  q.sent(kA);
  q.sent(kA);
  EXPECT_EQ(q.in_link(), 0);
  q.push(kB, ChunkSeq(1), kEpoch);
  q.push(kB, ChunkSeq(2), kEpoch);
  EXPECT_EQ(drain(q, kEpoch).size(), 1u);  // an extra sent() earned no extra room
}

TEST(UploadQueue, SeedRequestsGoAheadOfCommonOnesAndFirstComeAmongThemselves) {
  UploadQueue q(2000ms, 10);
  q.push(kA, ChunkSeq(5), kEpoch);
  q.push(kB, ChunkSeq(9), kEpoch, std::nullopt, Priority::seed);
  q.push(kC, ChunkSeq(6), kEpoch);
  q.push(kC, ChunkSeq(9), kEpoch, std::nullopt, Priority::seed);
  EXPECT_EQ(drain(q, kEpoch),
            (Served{{kB, ChunkSeq(9)}, {kC, ChunkSeq(9)}, {kA, ChunkSeq(5)}, {kC, ChunkSeq(6)}}));
}

TEST(UploadQueue, ASeedRequestWaitsOnlyForTheLinkAndTheSeedsAheadOfIt) {
  UploadQueue q(2000ms, 1);
  q.pushed(kA);  // 100 ms on the link: 1000-byte chunks at 10 kB/s
  for (uint64_t s = 1; s <= 3; ++s) q.push(kB, ChunkSeq(s), kEpoch);
  EXPECT_TRUE(q.would_wait(300ms, 1000, 10'000));
  EXPECT_FALSE(q.would_wait(300ms, 1000, 10'000, Priority::seed));
  q.push(kC, ChunkSeq(7), kEpoch, std::nullopt, Priority::seed);
  q.push(kA, ChunkSeq(7), kEpoch, std::nullopt, Priority::seed);
  EXPECT_FALSE(q.would_wait(300ms, 1000, 10'000, Priority::seed));
  q.push(kB, ChunkSeq(7), kEpoch, std::nullopt, Priority::seed);
  EXPECT_TRUE(q.would_wait(300ms, 1000, 10'000, Priority::seed));
}

}  // namespace
}  // namespace shoal
