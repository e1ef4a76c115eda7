// The uplink on a fake clock: chunks wait first come, first served for
// tokens at the rate, control bytes are charged, and the rate can change
// under the waiters.
#include "overlay/transport/uplink.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_transport.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;

// Milliseconds on the fake clock since `t0`.
double ms_since(const FakeTransport& t, MonoTime t0) {
  return std::chrono::duration<double, std::milli>(t.mono_now() - t0).count();
}

TEST(Uplink, GrantsInOrderOfAskingAndNeverFromInsideAcquire) {
  FakeTransport t;
  Uplink uplink(t, 100'000);
  std::string order;
  uplink.acquire(20'000, [&] { order += 'a'; });
  uplink.acquire(20'000, [&] { order += 'b'; });
  uplink.acquire(1, [&] { order += 'c'; });  // small, but asked last
  EXPECT_TRUE(order.empty());
  t.advance(1s);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(uplink.bytes_granted(), 40'001u);
}

TEST(Uplink, ChunksGoAtTheRate) {
  FakeTransport t;
  Uplink uplink(t, 100'000);  // bucket: 16 KiB
  const MonoTime t0 = t.mono_now();
  std::vector<double> at;
  for (int i = 0; i < 5; ++i) uplink.acquire(10'000, [&] { at.push_back(ms_since(t, t0)); });
  t.advance(2s);
  ASSERT_EQ(at.size(), 5u);
  // The first goes from the full bucket; the others 100 ms apart, less the
  // 6 384 bytes the bucket had left.
  EXPECT_EQ(at[0], 0);
  EXPECT_NEAR(at[1], 36.16, 0.01);
  EXPECT_NEAR(at[4], 336.16, 0.01);
}

TEST(Uplink, AFrameLargerThanTheBucketGoesWhenItIsFullAndLeavesDebt) {
  FakeTransport t;
  Uplink uplink(t, 100'000);
  const MonoTime t0 = t.mono_now();
  double first = -1, second = -1;
  uplink.acquire(50'000, [&] { first = ms_since(t, t0); });
  uplink.acquire(1'000, [&] { second = ms_since(t, t0); });
  t.advance(2s);
  EXPECT_EQ(first, 0);
  // (50 000 - 16 384 + 1 000) bytes at 100 kB/s.
  EXPECT_NEAR(second, 346.16, 0.01);
}

TEST(Uplink, ChargedBytesDelayTheWaiters) {
  FakeTransport t;
  Uplink uplink(t, 100'000);
  const MonoTime t0 = t.mono_now();
  uplink.charge(50'000);
  double granted = -1;
  uplink.acquire(1'000, [&] { granted = ms_since(t, t0); });
  t.advance(2s);
  EXPECT_NEAR(granted, 346.16, 0.01);
  EXPECT_EQ(uplink.bytes_charged(), 50'000u);
  EXPECT_EQ(uplink.bytes_granted(), 1'000u);
}

TEST(Uplink, ACancelledWaiterIsNeverCalledAndGivesUpItsTurn) {
  FakeTransport t;
  Uplink uplink(t, 100'000);
  uplink.charge(16 * 1024);  // empty bucket: everyone waits
  const MonoTime t0 = t.mono_now();
  bool cancelled_called = false;
  double next = -1;
  const auto ticket = uplink.acquire(10'000, [&] { cancelled_called = true; });
  uplink.acquire(1'000, [&] { next = ms_since(t, t0); });
  uplink.cancel(ticket);
  uplink.cancel(ticket);  // twice: ignored
  EXPECT_EQ(uplink.waiting(), 1u);
  t.advance(1s);
  // When its own 1 000 bytes are there, not after the cancelled 10 000.
  EXPECT_NEAR(next, 10, 0.01);
  EXPECT_FALSE(cancelled_called);
  EXPECT_EQ(uplink.bytes_granted(), 1'000u);
}

TEST(Uplink, DestroyingItDropsItsWaitersUncalled) {
  FakeTransport t;
  auto uplink = std::make_unique<Uplink>(t, 10'000);
  uplink->charge(16 * 1024);
  bool called = false;
  uplink->acquire(1'000, [&] { called = true; });
  uplink.reset();
  EXPECT_EQ(t.armed_timers(), 0u);
  t.advance(1s);
  EXPECT_FALSE(called);
}

TEST(Uplink, RaisingTheRateReschedulesTheWaiters) {
  FakeTransport t;
  Uplink uplink(t, 1'000);
  uplink.charge(16 * 1024);
  const MonoTime t0 = t.mono_now();
  double granted = -1;
  uplink.acquire(1'000, [&] { granted = ms_since(t, t0); });  // 1 s away at 1 kB/s
  uplink.set_rate(1'000'000);
  EXPECT_EQ(uplink.rate(), 1'000'000);
  t.advance(2s);
  EXPECT_NEAR(granted, 1, 0.01);
}

TEST(Uplink, RateZeroMeansUnlimitedButStillGrantsFromTheTimer) {
  FakeTransport t;
  Uplink uplink(t, 1'000);
  uplink.charge(16 * 1024);
  int called = 0;
  for (int i = 0; i < 5; ++i) uplink.acquire(100'000, [&] { ++called; });
  uplink.set_rate(0);
  EXPECT_EQ(called, 0);
  t.advance(0s);
  EXPECT_EQ(called, 5);
}

}  // namespace
}  // namespace shoal
