#include "overlay/limits/address_limits.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using namespace std::chrono_literals;
const AddressLimits::Clock::time_point t0 = AddressLimits::Clock::time_point{} + 1h;

TEST(AddressLimits, CapsConnectionsPerAddress) {
  AddressLimits limits({.max_per_address = 2});
  EXPECT_TRUE(limits.admit("10.0.0.1"));
  EXPECT_TRUE(limits.admit("10.0.0.1"));
  EXPECT_FALSE(limits.admit("10.0.0.1"));
  EXPECT_TRUE(limits.admit("10.0.0.2"));  // another address has its own slots
  EXPECT_EQ(limits.connections("10.0.0.1"), 2u);
  EXPECT_EQ(limits.connections(), 3u);
}

TEST(AddressLimits, CapsConnectionsInAll) {
  AddressLimits limits({.max_per_address = 8, .max_total = 3});
  EXPECT_TRUE(limits.admit("10.0.0.1"));
  EXPECT_TRUE(limits.admit("10.0.0.2"));
  EXPECT_TRUE(limits.admit("10.0.0.3"));
  EXPECT_FALSE(limits.admit("10.0.0.4"));
  EXPECT_EQ(limits.connections(), 3u);
}

TEST(AddressLimits, AReleaseFreesTheSlot) {
  AddressLimits limits({.max_per_address = 1, .max_total = 1});
  ASSERT_TRUE(limits.admit("10.0.0.1"));
  EXPECT_FALSE(limits.admit("10.0.0.2"));
  limits.release("10.0.0.1");
  EXPECT_EQ(limits.connections(), 0u);
  EXPECT_TRUE(limits.admit("10.0.0.2"));
}

TEST(AddressLimits, AReleaseWithoutAnAdmitChangesNothing) {
  AddressLimits limits({.max_per_address = 1});
  limits.release("10.0.0.1");
  ASSERT_TRUE(limits.admit("10.0.0.1"));
  limits.release("10.0.0.2");
  EXPECT_EQ(limits.connections(), 1u);
  EXPECT_FALSE(limits.admit("10.0.0.1"));
}

TEST(AddressLimits, RequestsGetABurstThenTheRate) {
  AddressLimits limits({.requests_per_second = 20, .request_burst = 40});
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(limits.allow_request("10.0.0.1", t0)) << i;
  EXPECT_FALSE(limits.allow_request("10.0.0.1", t0));
  EXPECT_TRUE(limits.allow_request("10.0.0.2", t0));  // budgets are per address
  EXPECT_FALSE(limits.allow_request("10.0.0.1", t0 + 49ms));
  EXPECT_TRUE(limits.allow_request("10.0.0.1", t0 + 50ms));  // 1 / 20 s later
  EXPECT_FALSE(limits.allow_request("10.0.0.1", t0 + 50ms));
}

TEST(AddressLimits, ForgetsAnIdleAddressOnlyOnceItsBudgetIsFull) {
  AddressLimits limits({.requests_per_second = 10, .request_burst = 2});
  ASSERT_TRUE(limits.admit("10.0.0.1"));
  ASSERT_TRUE(limits.allow_request("10.0.0.1", t0));
  ASSERT_TRUE(limits.allow_request("10.0.0.1", t0));
  limits.release("10.0.0.1");
  // Reconnecting must not buy a fresh budget: still spent 50 ms later.
  limits.forget_idle(t0 + 50ms);
  EXPECT_FALSE(limits.allow_request("10.0.0.1", t0 + 50ms));
  limits.forget_idle(t0 + 1s);
  EXPECT_TRUE(limits.allow_request("10.0.0.1", t0 + 1s));
  EXPECT_TRUE(limits.allow_request("10.0.0.1", t0 + 1s));
  EXPECT_FALSE(limits.allow_request("10.0.0.1", t0 + 1s));
}

TEST(AddressLimits, KeepsTheBudgetOfAConnectedAddress) {
  AddressLimits limits({.requests_per_second = 10, .request_burst = 1});
  ASSERT_TRUE(limits.admit("10.0.0.1"));
  ASSERT_TRUE(limits.allow_request("10.0.0.1", t0));
  limits.forget_idle(t0 + 1h);
  EXPECT_EQ(limits.connections("10.0.0.1"), 1u);
}

}  // namespace
}  // namespace shoal
