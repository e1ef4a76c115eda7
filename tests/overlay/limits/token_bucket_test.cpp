#include "overlay/limits/token_bucket.h"

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

TEST(TokenBucket, SetRateKeepsTheTokensEarnedSoFar) {
  TokenBucket b(1000, 500);
  b.take(500, t0);
  b.set_rate(2000, 800, t0 + 100ms);  // 100 tokens earned at the old rate
  EXPECT_FALSE(b.try_take(300, t0 + 199ms));
  EXPECT_TRUE(b.try_take(300, t0 + 200ms));
}

TEST(TokenBucket, SetRateClampsTokensToTheNewBurst) {
  TokenBucket b(1000, 500);
  b.set_rate(1000, 200, t0);
  EXPECT_FALSE(b.try_take(201, t0));
  EXPECT_TRUE(b.try_take(200, t0));
}

TEST(TokenBucket, SetRateKeepsDebt) {
  TokenBucket b(1000, 500);
  b.take(1500, t0);
  b.set_rate(2000, 500, t0);  // 1000 bytes of debt, then a full bucket
  EXPECT_EQ(b.ready_at(500, t0), t0 + 750ms);
}

TEST(TokenBucket, LeavingUnlimitedStartsFull) {
  TokenBucket b(0, 0);
  b.take(1e9, t0);
  b.set_rate(1000, 500, t0 + 1s);
  EXPECT_TRUE(b.try_take(500, t0 + 1s));
  EXPECT_FALSE(b.try_take(1, t0 + 1s));
}

TEST(TokenBucket, SetRateZeroMakesItUnlimited) {
  TokenBucket b(1000, 500);
  b.take(5000, t0);
  b.set_rate(0, 0, t0);
  EXPECT_TRUE(b.unlimited());
  EXPECT_EQ(b.ready_at(1e9, t0), t0);
}

}  // namespace
}  // namespace shoal
