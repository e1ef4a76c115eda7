// The rate meter: bytes per second over a window of whole seconds that
// slides with the clock, so what was sent long ago stops counting.
#include "peer/rate_meter.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;  // a whole second

TEST(RateMeter, IsZeroBeforeAnythingIsAdded) {
  RateMeter m;
  EXPECT_EQ(m.rate(kEpoch), 0.0);
}

TEST(RateMeter, AveragesTheBytesOverTheWindow) {
  RateMeter m(10);
  m.add(1000, kEpoch);
  m.add(2000, kEpoch + 3500ms);
  m.add(3000, kEpoch + 9999ms);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 9999ms), 600.0);
}

TEST(RateMeter, OldSecondsDropOutAsTheWindowSlides) {
  RateMeter m(10);
  m.add(1000, kEpoch + 200ms);
  m.add(2000, kEpoch + 4200ms);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 9999ms), 300.0);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 10s), 200.0);   // the first second has left the window
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 14s), 0.0);     // and so has the fifth
}

TEST(RateMeter, ALongSilenceEmptiesTheWholeWindow) {
  RateMeter m(5);
  for (int s = 0; s < 5; ++s) m.add(500, kEpoch + std::chrono::seconds(s));
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 4s), 500.0);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 1h), 0.0);
  m.add(250, kEpoch + 1h);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 1h), 50.0);  // nothing stale came back
}

TEST(RateMeter, BytesAddedAfterAGapAreNotMixedWithStaleOnes) {
  RateMeter m(3);
  m.add(300, kEpoch);  // lands in the bucket second 3 will reuse
  m.add(600, kEpoch + 3s);
  EXPECT_DOUBLE_EQ(m.rate(kEpoch + 3s), 200.0);
}

TEST(RateMeter, TheWindowIsClampedToWhatTheMeterCanHold) {
  RateMeter too_long(1000), too_short(0);
  too_long.add(3000, kEpoch);
  too_short.add(3000, kEpoch);
  EXPECT_DOUBLE_EQ(too_long.rate(kEpoch), 100.0);  // 30 s at most
  EXPECT_DOUBLE_EQ(too_short.rate(kEpoch), 3000.0);  // 1 s at least
}

}  // namespace
}  // namespace shoal
