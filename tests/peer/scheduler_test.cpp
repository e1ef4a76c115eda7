// The scheduler (DESIGN §5, deadline-aware rarest first): chunks due within
// the urgent window are requested earliest deadline first from the neighbour
// expected to deliver soonest; later ones rarest first with a random
// tie-break; requests are capped per neighbour, expire and are re-issued
// elsewhere; the source is asked only when no peer can make the deadline.
#include "peer/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <set>

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
const ConnId kSource(1), kA(2), kB(3), kC(4);

WantedChunk due_in(uint64_t seq, std::chrono::milliseconds in, WallTime now = kNow) {
  return {ChunkSeq(seq), now + in};
}

// The chunks asked for, each once, in the order first asked.
std::vector<uint64_t> seqs(const std::vector<ChunkRequest>& requests) {
  std::vector<uint64_t> out;
  for (const ChunkRequest& r : requests) {
    if (std::ranges::find(out, r.seq.value) == out.end()) out.push_back(r.seq.value);
  }
  return out;
}

// A chunk of which only stripe 0 is wanted (the rest came down the trees):
// one request, to one holder.
WantedChunk one_stripe(WantedChunk w) {
  w.stripes = 0b0001;
  return w;
}

std::optional<ConnId> asked_for(uint64_t seq, const std::vector<ChunkRequest>& requests) {
  for (const ChunkRequest& r : requests) {
    if (r.seq == ChunkSeq(seq)) return r.conn;
  }
  return std::nullopt;
}

// Default config: urgent_window 1500 ms, source_window 1000 ms, rescue_margin
// 250 ms, request_timeout 1000 ms, initial_answer_time 300 ms.

// --- urgent chunks ---

TEST(Scheduler, RequestsUrgentChunksEarliestDeadlineFirstBeforeAnyOther) {
  Scheduler s({.max_in_flight = 1}, 1);
  const BufferMap a = map_of("1111"), b = map_of("1110");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  // Room for two requests. Three chunks are urgent; 3 is the rarest but not urgent.
  const WantedChunk wanted[] = {due_in(0, 1000ms), due_in(1, 1200ms), due_in(2, 1400ms),
                                due_in(3, 2000ms)};
  EXPECT_EQ(seqs(s.plan(kNow, wanted, n)), (std::vector<uint64_t>{0, 1}));
}

TEST(Scheduler, AChunkIsUrgentUpToExactlyTheUrgentWindow) {
  // Urgent chunks come in deadline order, the rest rarest first: 1 (one
  // holder) before 0 (two) unless 0 is urgent.
  const BufferMap a = map_of("11"), b = map_of("10");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  {
    Scheduler s({}, 1);
    const WantedChunk wanted[] = {due_in(0, 1500ms), due_in(1, 1600ms)};
    EXPECT_EQ(seqs(s.plan(kNow, wanted, n)), (std::vector<uint64_t>{0, 1}));
  }
  {
    Scheduler s({}, 1);
    const WantedChunk wanted[] = {due_in(0, 1501ms), due_in(1, 1600ms)};
    EXPECT_EQ(seqs(s.plan(kNow, wanted, n)), (std::vector<uint64_t>{1, 0}));
  }
}

TEST(Scheduler, AChunkWithUnknownDeadlineCountsAsUrgent) {
  // The start probe: no chunk has fixed the timeline yet.
  Scheduler s({.max_in_flight = 1}, 1);
  const BufferMap a = map_of("11");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 3000ms), {ChunkSeq(1), std::nullopt}};
  const auto r = s.plan(kNow, wanted, n);
  EXPECT_EQ(seqs(r), (std::vector<uint64_t>{1}));
}

TEST(Scheduler, AChunkWithUnknownDeadlineIsAskedOfAPeerFirstElseOfTheSource) {
  const BufferMap source = map_of("11"), a = map_of("10");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}};
  Scheduler s({}, 1);
  const WantedChunk wanted[] = {{ChunkSeq(0), std::nullopt}, {ChunkSeq(1), std::nullopt}};
  const auto r = s.plan(kNow, wanted, n);
  EXPECT_EQ(asked_for(0, r), kA);
  EXPECT_EQ(asked_for(1, r), kSource);
}

// --- beyond the urgent window ---

TEST(Scheduler, FetchesTheRarestChunkFirstBeyondTheUrgentWindow) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("111"), b = map_of("101"), c = map_of("100");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}, {kC, false, &c}};
  const WantedChunk wanted[] = {due_in(0, 2500ms), due_in(1, 2600ms), due_in(2, 2700ms)};
  EXPECT_EQ(seqs(s.plan(kNow, wanted, n)), (std::vector<uint64_t>{1, 2, 0}));
}

TEST(Scheduler, RarityCountsPeerHoldersOnly) {
  // Counting the source would make 0 and 1 equally rare, and the order random.
  const BufferMap source = map_of("01"), a = map_of("11"), b = map_of("10");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {due_in(0, 2500ms), due_in(1, 2600ms)};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Scheduler s({}, seed);
    const auto r = s.plan(kNow, wanted, n);
    EXPECT_EQ(seqs(r), (std::vector<uint64_t>{1, 0})) << "seed " << seed;
    for (const ChunkRequest& req : r) EXPECT_NE(req.conn, kSource);
  }
}

TEST(Scheduler, BreaksRarityTiesAtRandom) {
  const BufferMap a = map_of("1111");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 2500ms), due_in(1, 2600ms), due_in(2, 2700ms),
                                due_in(3, 2800ms)};
  std::set<uint64_t> firsts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Scheduler s({.max_in_flight = 1}, seed);
    const auto r = s.plan(kNow, wanted, n);
    ASSERT_EQ(r.size(), 1u);
    firsts.insert(r[0].seq.value);
  }
  EXPECT_GT(firsts.size(), 1u) << "equally rare chunks always went in the same order";
}

TEST(Scheduler, DoesNotAskForAChunkNoNeighbourHolds) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(1, 900ms), due_in(2, 2500ms)};
  EXPECT_TRUE(s.plan(kNow, wanted, n).empty());
}

// --- which neighbour ---

TEST(Scheduler, PrefersThePeerThatAnswersSoonest) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("111"), b = map_of("111");
  const Candidate only_a[] = {{kA, false, &a}};
  const Candidate only_b[] = {{kB, false, &b}};
  const WantedChunk first[] = {due_in(0, 2500ms)};
  ASSERT_EQ(s.plan(kNow, first, only_a).size(), 1u);
  s.received(ChunkSeq(0), kA, kNow + 900ms);  // a is slow
  const WantedChunk second[] = {due_in(1, 2500ms)};
  ASSERT_EQ(s.plan(kNow, second, only_b).size(), 1u);
  s.received(ChunkSeq(1), kB, kNow + 50ms);  // b is quick
  EXPECT_GT(s.answer_time(kA), s.answer_time(kB));

  const Candidate both[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk third[] = {due_in(2, 1200ms, kNow + 1s)};
  const auto r = s.plan(kNow + 1s, third, both);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].conn, kB);
}

TEST(Scheduler, ABusyPeerLosesToAnIdleOneAsFast) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("11"), b = map_of("11");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {one_stripe(due_in(0, 1000ms)), one_stripe(due_in(1, 1100ms))};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(r[0].conn, r[1].conn);
}

TEST(Scheduler, AChunksStripesAreAskedOfSeveralHoldersAtOnce) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {due_in(0, 1000ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(r[0].conn, r[1].conn);
  EXPECT_EQ(std::popcount(r[0].stripes), 2);
  EXPECT_EQ(r[0].stripes | r[1].stripes, kAllStripes);
  EXPECT_EQ(s.in_flight_stripes(ChunkSeq(0)), kAllStripes);
  // A's stripes came: only B's are still asked for.
  EXPECT_TRUE(s.received(ChunkSeq(0), r[0].conn, kNow + 100ms, r[0].stripes).empty());
  EXPECT_EQ(s.in_flight_stripes(ChunkSeq(0)), r[1].stripes);
}

TEST(Scheduler, OnlyTheStripesWantedAndNotAskedForAreAsked) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  WantedChunk w = due_in(0, 1000ms);
  w.stripes = 0b0110;
  const WantedChunk wanted[] = {w};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].stripes, 0b0110);
  EXPECT_TRUE(s.plan(kNow, wanted, n).empty());
}

TEST(Scheduler, APeerThatLetARequestExpireLooksSlower) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("11");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 5000ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  const auto before = s.answer_time(kA);
  ASSERT_EQ(s.expire(kNow + 2000ms).size(), 1u);
  EXPECT_GT(s.answer_time(kA), before);
}

TEST(Scheduler, CapsRequestsInFlightPerPeer) {
  Scheduler s({.max_in_flight = 2}, 1);
  const BufferMap a = map_of("11111");
  const Candidate n[] = {{kA, false, &a}};
  std::vector<WantedChunk> wanted;
  for (uint64_t i = 0; i < 5; ++i) wanted.push_back(due_in(i, 2500ms));
  const auto first = s.plan(kNow, wanted, n);
  EXPECT_EQ(first.size(), 2u);
  EXPECT_TRUE(s.plan(kNow, wanted, n).empty());
  s.received(first[0].seq, kA, kNow + 100ms);  // one answered: room for one more
  EXPECT_EQ(s.plan(kNow + 100ms, wanted, n).size(), 1u);
}

TEST(Scheduler, CapsRequestsInFlightAtTheSourceSeparately) {
  Scheduler s({.max_in_flight = 1, .max_in_flight_source = 3}, 1);
  const BufferMap source = map_of("11111");
  const Candidate n[] = {{kSource, true, &source}};
  std::vector<WantedChunk> wanted;
  for (uint64_t i = 0; i < 5; ++i) wanted.push_back(due_in(i, 500ms));
  auto asked = seqs(s.plan(kNow, wanted, n));
  std::ranges::sort(asked);
  EXPECT_EQ(asked, (std::vector<uint64_t>{0, 1, 2}));
}

// --- the source ---

TEST(Scheduler, AsksTheSourceOnlyWhenNoPeerCanMakeTheDeadline) {
  Scheduler s({}, 1);
  const BufferMap source = map_of("111"), peer = map_of("100");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &peer}};
  // 0: a peer has it in time. 1: nobody else has it but there is time to wait.
  // 2: nobody else has it and it is due within the source window.
  const WantedChunk wanted[] = {due_in(0, 1400ms), due_in(1, 1400ms), due_in(2, 900ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(asked_for(0, r), kA);
  EXPECT_EQ(asked_for(2, r), kSource);
}

TEST(Scheduler, NeverAsksTheSourceForAChunkOutsideTheSourceWindow) {
  const BufferMap source = map_of("1");
  const Candidate n[] = {{kSource, true, &source}};
  for (const auto in : {1001ms, 1500ms, 2500ms, 60'000ms}) {
    Scheduler s({}, 1);
    const WantedChunk wanted[] = {due_in(0, in)};
    EXPECT_TRUE(s.plan(kNow, wanted, n).empty()) << "due in " << in.count() << " ms";
  }
  Scheduler s({}, 1);
  const WantedChunk wanted[] = {due_in(0, 1000ms)};
  const auto r = s.plan(kNow, wanted, n);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].conn, kSource);
}

TEST(Scheduler, AsksTheSourceWhenTheOnlyHolderCannotMakeTheDeadline) {
  // A peer is in time if now + its expected answer time (300 ms before it
  // has answered anything) <= deadline - rescue_margin (250 ms).
  const BufferMap source = map_of("1"), a = map_of("1");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}};
  {
    Scheduler s({}, 1);
    const WantedChunk wanted[] = {due_in(0, 550ms)};
    EXPECT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kA);
  }
  {
    Scheduler s({}, 1);
    const WantedChunk wanted[] = {due_in(0, 549ms)};
    EXPECT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kSource);
  }
}

TEST(Scheduler, AsksTheSourceWhenTheOnlyHolderIsMeasuredTooSlow) {
  Scheduler s({}, 1);
  const BufferMap source = map_of("11"), a = map_of("11");
  const Candidate only_a[] = {{kA, false, &a}};
  const WantedChunk first[] = {due_in(0, 5000ms)};
  ASSERT_EQ(s.plan(kNow, first, only_a).size(), 1u);
  s.received(ChunkSeq(0), kA, kNow + 1500ms);  // 0.7 * 300 + 0.3 * 1500 = 660 ms
  ASSERT_EQ(s.answer_time(kA), 660ms);
  // Due in 900 ms: 660 ms from now is later than 250 ms before the deadline.
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}};
  const WallTime now = kNow + 1500ms;
  const WantedChunk second[] = {due_in(1, 900ms, now)};
  EXPECT_EQ(asked_for(1, s.plan(now, second, n)), kSource);
}

TEST(Scheduler, StillAsksALatePeerWhenTheSourceCannotHelp) {
  Scheduler s({}, 1);
  const BufferMap source = map_of("0"), a = map_of("1");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 600ms)};
  EXPECT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kA);
}

// --- expiry ---

TEST(Scheduler, AnExpiredRequestIsReissuedToSomeoneElse) {
  Scheduler s({.request_timeout = 1000ms}, 1);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {one_stripe(due_in(0, 5000ms))};
  const auto first = s.plan(kNow, wanted, n);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(s.expire(kNow + 999ms).empty());
  const auto expired = s.expire(kNow + 1000ms);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].conn, first[0].conn);
  EXPECT_FALSE(s.in_flight(ChunkSeq(0)));
  const auto again = s.plan(kNow + 1000ms, wanted, n);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].conn, first[0].conn);
}

TEST(Scheduler, AnExpiredRequestIsNotReissuedToThePeerThatLetItExpire) {
  Scheduler s({.request_timeout = 1000ms}, 1);
  const BufferMap source = map_of("1"), a = map_of("1");
  const Candidate n[] = {{kSource, true, &source}, {kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 1700ms)};
  ASSERT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kA);
  ASSERT_EQ(s.expire(kNow + 1000ms).size(), 1u);
  // Due in 700 ms now: A could still make it on paper, but it failed once.
  const auto again = s.plan(kNow + 1000ms, wanted, n);
  EXPECT_EQ(asked_for(0, again), kSource);
}

TEST(Scheduler, ARejectedChunkIsAskedOfAnotherHolderAtOnce) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {one_stripe(due_in(0, 5000ms))};
  const auto first = s.plan(kNow, wanted, n);
  ASSERT_EQ(first.size(), 1u);
  s.rejected(ChunkSeq(0), first[0].conn, kNow + 5ms);
  EXPECT_FALSE(s.in_flight(ChunkSeq(0)));
  const auto again = s.plan(kNow + 5ms, wanted, n);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].conn, first[0].conn);
}

TEST(Scheduler, ABusyPeerIsAskedAgainAfterRetryAfterReject) {
  Scheduler s({.retry_after_reject = 250ms}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 5000ms)};
  ASSERT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kA);
  s.rejected(ChunkSeq(0), kA, kNow);
  EXPECT_TRUE(s.plan(kNow + 249ms, wanted, n).empty());
  EXPECT_EQ(asked_for(0, s.plan(kNow + 250ms, wanted, n)), kA);
}

// While a chunk is all in flight it is not wanted: planning the chunks after
// it must not forget who REJECTed it, or they are asked again at once (a
// REJECT loop that made honest viewers look like flooders).
TEST(Scheduler, ARejecterIsNotAskedAgainSoonerThanRetryAfterRejectWhileOthersServe) {
  Scheduler s({.retry_after_reject = 250ms}, 1);
  const BufferMap a = map_of("11"), b = map_of("11");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk zero[] = {one_stripe(due_in(0, 5000ms))};
  const auto first = s.plan(kNow, zero, n);
  ASSERT_EQ(first.size(), 1u);
  const ConnId rejecter = first[0].conn;
  s.rejected(ChunkSeq(0), rejecter, kNow + 5ms);
  const auto second = s.plan(kNow + 5ms, zero, n);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_NE(second[0].conn, rejecter);
  const WantedChunk after[] = {one_stripe(due_in(1, 5500ms))};
  s.plan(kNow + 6ms, after, n);
  s.rejected(ChunkSeq(0), second[0].conn, kNow + 10ms);
  EXPECT_TRUE(s.plan(kNow + 10ms, zero, n).empty()) << "both REJECTed chunk 0 within 250 ms";
}

TEST(Scheduler, AREJECTPastHalfTheWaitIsLate) {
  Scheduler s({.request_timeout = 1000ms}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 5000ms)};
  ASSERT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kA);
  EXPECT_FALSE(s.rejected(ChunkSeq(0), kA, kNow + 500ms));
  ASSERT_EQ(asked_for(0, s.plan(kNow + 1s, wanted, n)), kA);
  EXPECT_TRUE(s.rejected(ChunkSeq(0), kA, kNow + 1501ms));
}

TEST(Scheduler, ARejectFromANeighbourNotAskedChangesNothing) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1"), b = map_of("1");
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  const WantedChunk wanted[] = {one_stripe(due_in(0, 5000ms))};
  const auto first = s.plan(kNow, wanted, n);
  ASSERT_EQ(first.size(), 1u);
  s.rejected(ChunkSeq(0), first[0].conn == kA ? kB : kA, kNow);
  EXPECT_TRUE(s.in_flight(ChunkSeq(0)));
}

TEST(Scheduler, TheSourceIsAskedAgainAfterATimeoutButNotRightAfterAReject) {
  Scheduler s({.request_timeout = 1000ms}, 1);
  const BufferMap source = map_of("1");
  const Candidate n[] = {{kSource, true, &source}};
  const WantedChunk wanted[] = {due_in(0, 900ms)};
  ASSERT_EQ(asked_for(0, s.plan(kNow, wanted, n)), kSource);
  ASSERT_EQ(s.expire(kNow + 1000ms).size(), 1u);  // its queue dropped the request
  const WantedChunk still[] = {due_in(0, 900ms, kNow + 1000ms)};
  ASSERT_EQ(asked_for(0, s.plan(kNow + 1000ms, still, n)), kSource);
  s.rejected(ChunkSeq(0), kSource, kNow + 1001ms);
  EXPECT_TRUE(s.plan(kNow + 1001ms, still, n).empty());
}

TEST(Scheduler, APeerRequestExpiresRescueMarginBeforeTheDeadline) {
  Scheduler s({.request_timeout = 2000ms, .rescue_margin = 400ms}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 1400ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.next_expiry(), kNow + 1000ms);
  EXPECT_TRUE(s.expire(kNow + 999ms).empty());
  EXPECT_EQ(s.expire(kNow + 1000ms).size(), 1u);
}

TEST(Scheduler, APeerRequestExpiresAfterTheTimeoutWhenThatIsSooner) {
  Scheduler s({.request_timeout = 2000ms, .rescue_margin = 400ms}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 10'000ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.next_expiry(), kNow + 2000ms);
}

TEST(Scheduler, ASourceRequestIsNotCutShortByTheRescueMargin) {
  Scheduler s({.request_timeout = 2000ms, .rescue_margin = 400ms}, 1);
  const BufferMap source = map_of("1");
  const Candidate n[] = {{kSource, true, &source}};
  const WantedChunk wanted[] = {due_in(0, 800ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.next_expiry(), kNow + 2000ms);  // nobody is left to rescue it
}

TEST(Scheduler, NextExpiryIsTheEarliestOutstanding) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("111");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 1200ms), due_in(1, 1300ms), due_in(2, 5000ms)};
  EXPECT_FALSE(s.next_expiry());
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 3u);
  EXPECT_EQ(s.next_expiry(), kNow + 950ms);
}

// --- answers ---

TEST(Scheduler, AChunkFromElsewhereReturnsTheOutstandingRequestToCancel) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 2500ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_EQ(s.received(ChunkSeq(0), kSource, kNow + 10ms), std::vector<ConnId>{kA});
  EXPECT_FALSE(s.in_flight(ChunkSeq(0)));
  EXPECT_FALSE(s.next_expiry());
}

TEST(Scheduler, AChunkFromTheNeighbourAskedLeavesNothingToCancel) {
  Scheduler s({}, 1);
  const BufferMap a = map_of("1");
  const Candidate n[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 2500ms)};
  ASSERT_EQ(s.plan(kNow, wanted, n).size(), 1u);
  EXPECT_TRUE(s.received(ChunkSeq(0), kA, kNow + 10ms).empty());
  EXPECT_FALSE(s.in_flight(ChunkSeq(0)));
  EXPECT_TRUE(s.received(ChunkSeq(7), kA, kNow + 20ms).empty());  // never asked for
}

TEST(Scheduler, ForgetClearsANeighboursRequests) {
  Scheduler s({.max_in_flight = 2}, 1);
  const BufferMap a = map_of("111"), b = map_of("111");
  const Candidate only_a[] = {{kA, false, &a}};
  const WantedChunk wanted[] = {due_in(0, 2500ms), due_in(1, 2600ms), due_in(2, 2700ms)};
  ASSERT_EQ(s.plan(kNow, wanted, only_a).size(), 2u);
  s.forget(kA);
  EXPECT_EQ(s.in_flight(), 0u);
  EXPECT_FALSE(s.next_expiry());
  // What was asked of A can be asked again, of A (its cap is free) or anyone.
  EXPECT_EQ(s.plan(kNow, wanted, only_a).size(), 2u);
  s.forget(kA);
  const Candidate n[] = {{kA, false, &a}, {kB, false, &b}};
  auto asked = seqs(s.plan(kNow, wanted, n));
  std::ranges::sort(asked);
  EXPECT_EQ(asked, (std::vector<uint64_t>{0, 1, 2}));
}

}  // namespace
}  // namespace shoal
