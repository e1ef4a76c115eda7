// A viewer's reading of the channel's clock: NTP-style samples, the one with
// the smallest error bound taken, outliers ignored, a stepped clock followed.
#include "peer/channel_clock.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using namespace std::chrono_literals;

// The monotonic clock here reads 1 h at the start; the channel's clock reads
// kChannelStart then.
const MonoTime kStart{1h};
const WallTime kChannelStart{1'796'458'277'000ms};

// A query sent at `sent` (local) that took `out` to arrive and `back` to
// return, answered by a node whose reading is the channel's plus `skew`.
ChannelClock::Sample exchange(std::chrono::milliseconds sent, std::chrono::milliseconds out,
                              std::chrono::milliseconds back,
                              std::chrono::milliseconds skew = 0ms,
                              std::chrono::milliseconds their_error = 0ms) {
  const WallTime at = kChannelStart + sent + out + skew;
  return {.sent = kStart + sent, .received = at, .answered = at, .back = kStart + sent + out + back,
          .error = their_error};
}

TEST(ChannelClock, ReadsTheLocalWallClockUntilASample) {
  const ChannelClock clock(kChannelStart.time_since_epoch() + 7s - kStart.time_since_epoch());
  EXPECT_FALSE(clock.synced());
  EXPECT_FALSE(clock.error(kStart));
  EXPECT_EQ(clock.read(kStart + 1s), kChannelStart + 8s);
  EXPECT_EQ(clock.local(kChannelStart + 8s), kStart + 1s);
}

TEST(ChannelClock, OneAnswerOverASymmetricPathGivesTheChannelsClock) {
  ChannelClock clock(kChannelStart.time_since_epoch() + 7s - kStart.time_since_epoch());
  clock.add(exchange(0ms, 40ms, 40ms));
  EXPECT_TRUE(clock.synced());
  EXPECT_EQ(clock.read(kStart + 10s), kChannelStart + 10s);
  EXPECT_EQ(clock.error(kStart + 80ms), 41ms) << "half the round trip, and a millisecond of rounding";
}

TEST(ChannelClock, AnAsymmetricPathStaysWithinTheBound) {
  ChannelClock clock;
  clock.add(exchange(0ms, 10ms, 90ms));
  const auto off = clock.read(kStart + 1s) - (kChannelStart + 1s);
  EXPECT_LE(std::chrono::abs(off), *clock.error(kStart + 100ms));
  EXPECT_EQ(off, -40ms);
}

TEST(ChannelClock, TakesTheAnswerThatCameQuickestOverOnesDelayedInAQueue) {
  ChannelClock clock;
  clock.add(exchange(0ms, 5ms, 5ms));
  clock.add(exchange(1000ms, 5ms, 400ms));  // its answer waited behind data
  EXPECT_EQ(clock.read(kStart + 2s), kChannelStart + 2s);
  EXPECT_EQ(clock.error(kStart + 10ms), 6ms);
}

TEST(ChannelClock, LearnsTheClockFromANeighbourWithTheNeighboursBoundAdded) {
  ChannelClock clock;
  clock.add(exchange(0ms, 20ms, 20ms, 3ms, 5ms));
  EXPECT_EQ(clock.read(kStart + 1s), kChannelStart + 1s + 3ms);
  EXPECT_EQ(clock.error(kStart + 40ms), 26ms);
}

TEST(ChannelClock, AnOldAnswerGivesWayToNewerOnesAsTheClocksDrift) {
  ChannelClock clock;
  clock.add(exchange(0ms, 2ms, 2ms));
  clock.add(exchange(600'000ms, 10ms, 10ms, 2ms));
  // Ten minutes on, 100 ppm of drift is 60 ms: the new, wider answer is better.
  EXPECT_EQ(clock.read(kStart + 600s), kChannelStart + 600s + 2ms);
}

TEST(ChannelClock, IgnoresOneAnswerThatDisagreesAndFollowsTwoAsAClockStep) {
  ChannelClock clock;
  clock.add(exchange(0ms, 10ms, 10ms));
  clock.add(exchange(1000ms, 10ms, 10ms, 3s));
  EXPECT_EQ(clock.read(kStart + 2s), kChannelStart + 2s) << "an outlier";
  clock.add(exchange(2000ms, 10ms, 10ms));
  clock.add(exchange(3000ms, 10ms, 10ms, 3s));
  EXPECT_EQ(clock.read(kStart + 4s), kChannelStart + 4s) << "a consistent answer came between";
  clock.add(exchange(4000ms, 10ms, 10ms, 3s));
  EXPECT_EQ(clock.read(kStart + 5s), kChannelStart + 5s + 3s) << "the source's clock stepped";
}

}  // namespace
}  // namespace shoal
