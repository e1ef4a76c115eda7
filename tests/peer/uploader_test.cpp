// A viewer's upload side: which requests it queues and which it turns away
// at once, seeds first, and how loaded it says its uplink is.
#include "peer/uploader.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const ConnId kA(1), kB(2);
constexpr double kChunk = 1000;  // bytes

RequestMsg request(uint64_t seq, uint32_t wait_ms = 0) { return {ChunkSeq(seq), wait_ms}; }

TEST(Uploader, TurnsAwayAChokedRequesterAndAChunkItLacks) {
  Uploader u({});
  EXPECT_FALSE(u.request(kA, request(1), false, true, kChunk, kEpoch));
  EXPECT_FALSE(u.request(kA, request(1), true, false, kChunk, kEpoch));
  EXPECT_TRUE(u.request(kA, request(1), true, true, kChunk, kEpoch));
}

TEST(Uploader, TurnsAwayWhatItsUplinkCouldNotStartWithinMaxWait) {
  // 1000-byte chunks at 4000 bytes/s: each takes 250 ms.
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 4000}});
  ASSERT_TRUE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  ASSERT_TRUE(u.next(kEpoch));  // in the uplink
  ASSERT_TRUE(u.request(kA, request(3, 1000), true, true, kChunk, kEpoch)) << "250 ms behind it";
  EXPECT_FALSE(u.request(kB, request(2, 1000), true, true, kChunk, kEpoch)) << "500 ms behind";
  u.sent(kA);
  EXPECT_TRUE(u.request(kB, request(2, 1000), true, true, kChunk, kEpoch));
}

TEST(Uploader, TurnsAwayWhatItCouldNotFinishWithinItsRequestersWait) {
  // 250 ms behind the chunk in the uplink, and 250 ms its own: done at 500 ms.
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 4000}});
  ASSERT_TRUE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  ASSERT_TRUE(u.next(kEpoch));
  EXPECT_FALSE(u.request(kB, request(2, 450), true, true, kChunk, kEpoch));
  EXPECT_TRUE(u.request(kB, request(2, 500), true, true, kChunk, kEpoch));
}

TEST(Uploader, TurnsAwayAQueuedRequestOnceItCouldNoLongerBeThroughInTime) {
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 4000}});
  ASSERT_TRUE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  ASSERT_TRUE(u.next(kEpoch));
  ASSERT_TRUE(u.request(kB, request(2, 600), true, true, kChunk, kEpoch));
  EXPECT_TRUE(u.drop_stale(kEpoch + 350ms).empty()) << "still through at 600 ms if it starts now";
  const auto late = u.drop_stale(kEpoch + 351ms);
  ASSERT_EQ(late.size(), 1u) << "the chunk ahead of it took too long";
  EXPECT_EQ(late[0].from, kB);
}

TEST(Uploader, TurnsAwayAChunkThatWouldTakeLongerThanItsRequesterWaits) {
  // 1000 bytes at 2000 bytes/s take 500 ms, longer than the 300 ms it waits;
  // a repair of one stripe takes a quarter of that.
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 2000}});
  EXPECT_FALSE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  RequestMsg repair = request(1);
  repair.stripes = 0b0001;
  EXPECT_TRUE(u.request(kA, repair, true, true, kChunk, kEpoch));
}

TEST(Uploader, JudgesRequestsOnTheUplinkThatPushesLeave) {
  // Pushes take 3000 of 4000 bytes/s: a 1000-byte chunk takes 1 s of the rest.
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 4000}});
  u.reserve(3000);
  EXPECT_FALSE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  EXPECT_TRUE(u.request(kA, request(1, 1500), true, true, kChunk, kEpoch));
  EXPECT_EQ(u.spare(kEpoch), 1000u);
}

TEST(Uploader, ASeedGoesFirstForItsFirstTwoRequestsAndMayWaitLonger) {
  Uploader u({.max_wait = 300ms, .upload = {.bytes_per_second = 4000}});
  ASSERT_TRUE(u.request(kA, request(1), true, true, kChunk, kEpoch));
  ASSERT_TRUE(u.next(kEpoch));
  u.seeded(ChunkSeq(7), ChunkSeq(0));
  // A requester that waits 2 s for a seed is queued behind the chunk in the
  // uplink, and ahead of common requests.
  EXPECT_TRUE(u.request(kB, request(7, 2000), true, true, kChunk, kEpoch));
  EXPECT_TRUE(u.request(kA, request(7, 2000), true, true, kChunk, kEpoch));
  // The third is a common request again.
  EXPECT_FALSE(u.request(kB, request(7, 2000), true, true, kChunk, kEpoch));
  u.sent(kA);
  EXPECT_EQ(u.next(kEpoch)->seq, ChunkSeq(7));
}

TEST(Uploader, ARelativeLimitUploadsNothingUntilTheStreamRateIsKnown) {
  Uploader u({.upload = {.stream_multiple = 1.5}});
  EXPECT_FALSE(u.uploads());
  EXPECT_EQ(u.spare(kEpoch), 0u);
  EXPECT_TRUE(u.follow(100'000));
  EXPECT_TRUE(u.uploads());
  EXPECT_EQ(u.capacity(), 150'000.0);
  EXPECT_EQ(u.spare(kEpoch), 150'000u);
}

TEST(Uploader, SaysHowLoadedItsUplinkIs) {
  Uploader u({.upload = {.bytes_per_second = 1000}});
  EXPECT_EQ(u.load(kEpoch), UplinkLoad::spare);
  u.sending(4200, kEpoch);  // over 5 s: 840 bytes/s, 84%
  EXPECT_EQ(u.load(kEpoch), UplinkLoad::busy);
  u.sending(600, kEpoch);  // 960 bytes/s
  EXPECT_EQ(u.load(kEpoch), UplinkLoad::saturated);
  EXPECT_EQ(Uploader({}).load(kEpoch), UplinkLoad::spare) << "no limit";
  EXPECT_EQ(Uploader({.upload = {.bytes_per_second = 0}}).load(kEpoch), UplinkLoad::saturated);
}

}  // namespace
}  // namespace shoal
