// The scheduler: urgent chunks earliest deadline first from the peer that
// answers soonest, the rest rarest first, the source only when no peer can
// make the deadline, and expired requests re-issued elsewhere.
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

const WallTime kNow = kEpoch;
const ConnId kSource(1);

WantedChunk due_in(uint64_t seq, std::chrono::milliseconds in) {
  return {ChunkSeq(seq), kNow + in};
}

TEST(Scheduler, RequestsUrgentChunksEarliestDeadlineFirstThenRarest) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1111"), b = map_of("1011");
  const Candidate n[] = {{ConnId(2), false, &a}, {ConnId(3), false, &b}};
  // 0 and 1 are urgent; of 2 and 3, chunk 2... both held by a and b except 1.
  const WantedChunk wanted[] = {due_in(0, 1200ms), due_in(1, 1400ms), due_in(2, 2500ms),
                                due_in(3, 2600ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].seq, ChunkSeq(0));
  EXPECT_EQ(r[1].seq, ChunkSeq(1));
}

TEST(Scheduler, FetchesTheRarestChunkFirstBeyondTheUrgentWindow) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("111"), b = map_of("101"), c = map_of("100");
  const Candidate n[] = {{ConnId(2), false, &a}, {ConnId(3), false, &b}, {ConnId(4), false, &c}};
  const WantedChunk wanted[] = {due_in(0, 2500ms), due_in(1, 2600ms), due_in(2, 2700ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].seq, ChunkSeq(1));  // one holder
  EXPECT_EQ(r[1].seq, ChunkSeq(2));  // two
  EXPECT_EQ(r[2].seq, ChunkSeq(0));  // three
}

TEST(Scheduler, AsksTheSourceOnlyWhenNoPeerCanMakeTheDeadline) {
  Scheduler s({}, 1);
  const BufferMap source = map_of("111"), peer = map_of("100");
  const Candidate n[] = {{kSource, true, &source}, {ConnId(2), false, &peer}};
  // 0: a peer has it in time. 1: nobody else has it but there is time to wait.
  // 2: nobody else has it and it is due within the source window.
  const WantedChunk wanted[] = {due_in(0, 1400ms), due_in(1, 1400ms), due_in(2, 900ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].seq, ChunkSeq(0));
  EXPECT_EQ(r[0].conn, ConnId(2));
  EXPECT_EQ(r[1].seq, ChunkSeq(2));
  EXPECT_EQ(r[1].conn, kSource);
}

TEST(Scheduler, NeverAsksTheSourceOutsideTheUrgentWindow) {
  Scheduler s({}, 1);
  const BufferMap source = map_of("1");
  const Candidate n[] = {{kSource, true, &source}};
  const WantedChunk wanted[] = {due_in(0, 2500ms)};
  EXPECT_TRUE(s.plan(kNow, wanted, n).empty());
}

TEST(Scheduler, PrefersThePeerThatAnswersSoonest) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("111"), b = map_of("111");
  const Candidate only_a[] = {{ConnId(2), false, &a}};
  const Candidate only_b[] = {{ConnId(3), false, &b}};
  const WantedChunk first[] = {due_in(0, 2500ms)};
  ASSERT_EQ(s.plan(kNow, first, only_a).size(), 1u);
  s.received(ChunkSeq(0), ConnId(2), kNow + 900ms);  // a is slow
  const WantedChunk second[] = {due_in(1, 2500ms)};
  ASSERT_EQ(s.plan(kNow, second, only_b).size(), 1u);
  s.received(ChunkSeq(1), ConnId(3), kNow + 50ms);  // b is quick
  const Candidate both[] = {{ConnId(2), false, &a}, {ConnId(3), false, &b}};
  const WantedChunk third[] = {due_in(2, 1200ms)};
  const auto r = s.plan(kNow + 1s, third, both);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].conn, ConnId(3));
}

TEST(Scheduler, CapsRequestsInFlightPerPeer) {
  Scheduler s({.max_in_flight = 2}, 1);
  const BufferMap a = map_of("11111");
  const Candidate n[] = {{ConnId(2), false, &a}};
  std::vector<WantedChunk> wanted;
  for (uint64_t i = 0; i < 5; ++i) wanted.push_back(due_in(i, 2500ms));
  EXPECT_EQ(s.plan(kNow, wanted, n).size(), 2u);
  EXPECT_TRUE(s.plan(kNow, wanted, n).empty());
}

TEST(Scheduler, AnExpiredRequestIsReissuedToSomeoneElse) {
  Scheduler s({.request_timeout = 1000ms}, 1);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate n[] = {{ConnId(2), false, &a}, {ConnId(3), false, &b}};
  const WantedChunk wanted[] = {due_in(0, 5000ms)};
  const auto first = s.plan(kNow, wanted, n);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(s.expire(kNow + 999ms).empty());
  const auto expired = s.expire(kNow + 1000ms);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].conn, first[0].conn);
  const auto again = s.plan(kNow + 1000ms, wanted, n);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].conn, first[0].conn);
}

TEST(Scheduler, APeerRequestExpiresInTimeToAskTheSource) {
  Scheduler s({.request_timeout = 2000ms, .rescue_margin = 400ms}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{ConnId(2), false, &a}};
  const WantedChunk wanted[] = {due_in(0, 1400ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.next_expiry(), kNow + 1000ms);
}

TEST(Scheduler, AChunkFromElsewhereCancelsTheOutstandingRequest) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{ConnId(2), false, &a}};
  const WantedChunk wanted[] = {due_in(0, 2500ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.received(ChunkSeq(0), kSource, kNow + 10ms), ConnId(2));
  EXPECT_FALSE(s.in_flight(ChunkSeq(0)));
}

}  // namespace
}  // namespace shoal
