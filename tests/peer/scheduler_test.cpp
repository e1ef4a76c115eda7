#include "peer/scheduler.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

// A buffer map from a string: '1' held, '0' not, starting at seq 0.
BufferMap map_of(std::string_view bits) {
  BufferMap m;
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == '1') m.add(ChunkSeq(i), true);
  }
  return m;
}

TEST(Scheduler, AsksAPeerBeforeTheSource) {
  Scheduler s({.max_in_flight = 8, .request_timeout = 2000ms});
  ChunkStore store(120);
  const BufferMap source = map_of("1111"), peer = map_of("0110");
  const Candidate n[] = {{ConnId(1), true, &source}, {ConnId(2), false, &peer}};
  const auto r = s.plan(kEpoch, ChunkSeq(0), ChunkSeq(3), store, n);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].conn, ConnId(1));
  EXPECT_EQ(r[1].conn, ConnId(2));
  EXPECT_EQ(r[2].conn, ConnId(2));
  EXPECT_EQ(r[3].conn, ConnId(1));
}

TEST(Scheduler, CapsRequestsInFlightPerNeighbour) {
  Scheduler s({.max_in_flight = 2, .request_timeout = 2000ms});
  ChunkStore store(120);
  const BufferMap source = map_of("11111");
  const Candidate n[] = {{ConnId(1), true, &source}};
  EXPECT_EQ(s.plan(kEpoch, ChunkSeq(0), ChunkSeq(4), store, n).size(), 2u);
  EXPECT_TRUE(s.plan(kEpoch, ChunkSeq(0), ChunkSeq(4), store, n).empty());
  s.received(ChunkSeq(0));
  const auto r = s.plan(kEpoch, ChunkSeq(0), ChunkSeq(4), store, n);
  ASSERT_EQ(r.size(), 1u);  // one slot freed; 0 is still missing from the store
  EXPECT_EQ(r[0].seq, ChunkSeq(0));
}

TEST(Scheduler, SkipsChunksAlreadyHeld) {
  Scheduler s({});
  ChunkStore store(120);
  const auto key = testing::test_key();
  store.add(testing::shared_chunk(key, 1));
  const BufferMap source = map_of("111");
  const Candidate n[] = {{ConnId(1), true, &source}};
  const auto r = s.plan(kEpoch, ChunkSeq(0), ChunkSeq(2), store, n);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].seq, ChunkSeq(2));
}

TEST(Scheduler, ExpiredRequestsCanBeReissuedElsewhere) {
  Scheduler s({.max_in_flight = 8, .request_timeout = 1000ms});
  ChunkStore store(120);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate first[] = {{ConnId(1), false, &a}};
  ASSERT_EQ(s.plan(kEpoch, ChunkSeq(0), ChunkSeq(0), store, first).size(), 1u);
  EXPECT_TRUE(s.expire(kEpoch + 999ms).empty());
  const auto expired = s.expire(kEpoch + 1000ms);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].conn, ConnId(1));
  const Candidate second[] = {{ConnId(2), false, &b}};
  const auto r = s.plan(kEpoch + 1000ms, ChunkSeq(0), ChunkSeq(0), store, second);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].conn, ConnId(2));
}

}  // namespace
}  // namespace shoal
