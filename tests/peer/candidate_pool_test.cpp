// The candidate pool: addresses to dial, offered again only after a backoff
// that doubles with each failed dial, forgotten after max_failures failures in
// a row, never offered while connected (by it or by another address of the
// same peer) or once banned, and bounded, the
// least recently heard unconnected address making room.
#include "peer/candidate_pool.h"

#include <gtest/gtest.h>

#include <set>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

Endpoint at(uint16_t port) { return Endpoint{"10.0.0.1", port}; }

std::set<uint16_t> ports(const std::vector<Endpoint>& endpoints) {
  std::set<uint16_t> out;
  for (const Endpoint& e : endpoints) out.insert(e.port);
  return out;
}

class CandidatePoolTest : public ::testing::Test {
 protected:
  CandidatePool pool_{CandidateConfig{.capacity = 4, .retry = 5000ms, .max_failures = 3}};
  std::mt19937_64 rng_{7};

  std::set<uint16_t> pick(size_t n, WallTime now) { return ports(pool_.pick(n, now, rng_)); }
};

TEST_F(CandidatePoolTest, OffersEachAddressHeardOfOnceUntilTheDialResolves) {
  pool_.add(at(1), kEpoch);
  pool_.add(at(2), kEpoch);
  pool_.add(at(1), kEpoch);  // heard again: still one entry
  EXPECT_EQ(pool_.size(), 2u);
  EXPECT_EQ(pick(10, kEpoch), (std::set<uint16_t>{1, 2}));
  EXPECT_TRUE(pick(10, kEpoch + 1h).empty());  // both dials are under way
}

TEST_F(CandidatePoolTest, PicksAtMostTheNumberAsked) {
  for (uint16_t p = 1; p <= 4; ++p) pool_.add(at(p), kEpoch);
  EXPECT_EQ(pick(3, kEpoch).size(), 3u);
  EXPECT_EQ(pick(3, kEpoch).size(), 1u);
}

TEST_F(CandidatePoolTest, PicksInRandomOrder) {
  std::set<uint16_t> first_picks;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    CandidatePool pool({});
    for (uint16_t p = 1; p <= 4; ++p) pool.add(at(p), kEpoch);
    std::mt19937_64 rng(seed);
    first_picks.insert(pool.pick(1, kEpoch, rng).front().port);
  }
  EXPECT_GT(first_picks.size(), 1u);
}

TEST_F(CandidatePoolTest, IgnoresAnAddressWithoutAPort) {
  pool_.add(Endpoint{"10.0.0.1", 0}, kEpoch);
  EXPECT_EQ(pool_.size(), 0u);
}

TEST_F(CandidatePoolTest, AFailedDialIsRetriedAfterABackoffThatDoubles) {
  pool_.add(at(1), kEpoch);
  ASSERT_EQ(pick(1, kEpoch), std::set<uint16_t>{1});
  pool_.disconnected(at(1), true, kEpoch);  // first failure: 5 s
  EXPECT_TRUE(pick(1, kEpoch + 4999ms).empty());
  ASSERT_EQ(pick(1, kEpoch + 5000ms), std::set<uint16_t>{1});
  const WallTime second = kEpoch + 5000ms;
  pool_.disconnected(at(1), true, second);  // second failure: 10 s
  EXPECT_TRUE(pick(1, second + 9999ms).empty());
  EXPECT_EQ(pick(1, second + 10s), std::set<uint16_t>{1});
}

TEST_F(CandidatePoolTest, AnAddressIsForgottenAfterMaxFailuresInARow) {
  pool_.add(at(1), kEpoch);
  WallTime now = kEpoch;
  for (int failure = 1; failure < 3; ++failure) {
    ASSERT_EQ(pick(1, now), std::set<uint16_t>{1}) << "failure " << failure;
    pool_.disconnected(at(1), true, now);
    now += 1h;
  }
  ASSERT_EQ(pick(1, now), std::set<uint16_t>{1});
  pool_.disconnected(at(1), true, now);  // the third failure in a row
  EXPECT_EQ(pool_.size(), 0u);
  EXPECT_TRUE(pick(1, now + 24h).empty());
  pool_.add(at(1), now + 24h);  // heard of anew: a fresh start
  EXPECT_EQ(pick(1, now + 24h), std::set<uint16_t>{1});
}

TEST_F(CandidatePoolTest, AConnectionInBetweenResetsTheFailureCount) {
  pool_.add(at(1), kEpoch);
  WallTime now = kEpoch;
  for (int i = 0; i < 2; ++i) {
    pick(1, now);
    pool_.disconnected(at(1), true, now);
    now += 1h;
  }
  pick(1, now);
  pool_.connected(at(1));
  pool_.disconnected(at(1), false, now);  // a session ended: not a failure
  now += 1h;
  pick(1, now);
  pool_.disconnected(at(1), true, now);  // one failure since the connection
  EXPECT_EQ(pool_.size(), 1u);
  EXPECT_EQ(pick(1, now + 5s), std::set<uint16_t>{1});
}

TEST_F(CandidatePoolTest, AnEndedConnectionIsRetriedAfterTheRetryDelay) {
  pool_.add(at(1), kEpoch);
  pick(1, kEpoch);
  pool_.connected(at(1));
  pool_.disconnected(at(1), false, kEpoch + 1min);
  EXPECT_TRUE(pick(1, kEpoch + 1min + 4999ms).empty());
  EXPECT_EQ(pick(1, kEpoch + 1min + 5s), std::set<uint16_t>{1});
}

TEST_F(CandidatePoolTest, AConnectedAddressIsNeverOffered) {
  pool_.add(at(1), kEpoch);
  pool_.add(at(2), kEpoch);
  pool_.connected(at(1));  // it dialled us
  EXPECT_EQ(pick(10, kEpoch + 1h), std::set<uint16_t>{2});
}

TEST_F(CandidatePoolTest, AnotherAddressOfAPeerLinkedAlreadyWaitsUntilThatLinkEnds) {
  pool_.add(at(1), kEpoch);
  pool_.add(at(2), kEpoch);  // the same peer, by another address
  pool_.connected(at(1));
  ASSERT_EQ(pick(10, kEpoch), std::set<uint16_t>{2});
  pool_.alias(at(2), at(1));  // the dial reached the peer at 1: a duplicate
  pool_.disconnected(at(2), false, kEpoch);
  EXPECT_TRUE(pick(10, kEpoch + 1h).empty()) << "no redial every 5 s";
  pool_.disconnected(at(1), false, kEpoch + 1h);
  EXPECT_EQ(pick(10, kEpoch + 1h), std::set<uint16_t>{2}) << "the peer gone from 1: try 2";
}

TEST_F(CandidatePoolTest, WhenFullTheLeastRecentlyHeardUnconnectedAddressMakesRoom) {
  pool_.add(at(1), kEpoch);
  pool_.add(at(2), kEpoch + 1s);
  pool_.add(at(3), kEpoch + 2s);
  pool_.add(at(4), kEpoch + 3s);
  pool_.connected(at(1));           // oldest, but connected: kept
  pool_.add(at(2), kEpoch + 4s);    // heard again: now the newest
  pool_.add(at(5), kEpoch + 5s);    // full: 3 goes
  EXPECT_EQ(pool_.size(), 4u);
  EXPECT_EQ(pick(10, kEpoch + 5s), (std::set<uint16_t>{2, 4, 5}));
}

TEST_F(CandidatePoolTest, WhenFullOfConnectedAddressesANewOneIsNotKept) {
  for (uint16_t p = 1; p <= 4; ++p) {
    pool_.add(at(p), kEpoch);
    pool_.connected(at(p));
  }
  pool_.add(at(5), kEpoch + 1s);
  EXPECT_EQ(pool_.size(), 4u);
  for (uint16_t p = 1; p <= 4; ++p) pool_.disconnected(at(p), false, kEpoch + 1s);
  EXPECT_EQ(pick(10, kEpoch + 1h), (std::set<uint16_t>{1, 2, 3, 4}));
}

TEST_F(CandidatePoolTest, ABannedAddressIsNeverOfferedAgain) {
  pool_.add(at(1), kEpoch);
  pool_.add(at(2), kEpoch);
  pool_.ban(at(1));
  pool_.add(at(1), kEpoch + 1s);  // heard of again through PEX
  pool_.connected(at(1));
  pool_.disconnected(at(1), false, kEpoch + 1s);
  EXPECT_EQ(pool_.size(), 1u);
  EXPECT_EQ(pick(10, kEpoch + 1h), std::set<uint16_t>{2});
}

}  // namespace
}  // namespace shoal
