#include "overlay/token_bucket.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using namespace std::chrono_literals;
const TokenBucket::Clock::time_point t0 = TokenBucket::Clock::time_point{} + 1h;

TEST(TokenBucket, StartsFullAndEmptiesAtTheBurst) {
  TokenBucket b(1000, 500);
  EXPECT_TRUE(b.try_take(500, t0));
  EXPECT_FALSE(b.try_take(1, t0));
}

TEST(TokenBucket, RefillsAtItsRate) {
  TokenBucket b(1000, 500);
  b.take(500, t0);
  EXPECT_EQ(b.ready_at(250, t0), t0 + 250ms);
  EXPECT_FALSE(b.try_take(250, t0 + 249ms));
  EXPECT_TRUE(b.try_take(250, t0 + 250ms));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket b(1000, 500);
  b.take(500, t0);
  EXPECT_TRUE(b.try_take(500, t0 + 1h));
  EXPECT_FALSE(b.try_take(1, t0 + 1h));
}

TEST(TokenBucket, DebtFromAnOversizedSendDelaysTheNext) {
  TokenBucket b(1000, 500);
  b.take(1500, t0);  // one 1500-byte frame: 1000 bytes of debt
  EXPECT_EQ(b.ready_at(100, t0), t0 + 1100ms);
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  TokenBucket b(0, 0);
  EXPECT_TRUE(b.try_take(1e12, t0));
  EXPECT_EQ(b.ready_at(1e12, t0), t0);
}

}  // namespace
}  // namespace shoal
