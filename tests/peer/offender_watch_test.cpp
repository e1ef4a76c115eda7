// What an honest viewer counts of each neighbour to find the ones that
// misbehave in a pattern: liars and slow uploaders by their unanswered
// requests, flooders by their request rate, sybils by unreachable ports.
#include "peer/offender_watch.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;  // on a whole second

const ConnId kNeighbour(7);
// A stream of 96 000 bytes/s: its twelfth is 8 000 bytes/s.
constexpr double kRate = 96000;
constexpr uint64_t kRoom = 200000;  // spare upload it claims

// `n` of our requests to kNeighbour, each made a second before, expire
// 100 ms apart; the last verdict.
std::optional<Offence> expire(OffenderWatch& w, int n, WallTime from = kEpoch) {
  std::optional<Offence> verdict;
  for (int i = 0; i < n; ++i)
    verdict = w.expired(kNeighbour, ChunkSeq(1), kAllStripes, from + i * 100ms - 1s, from + i * 100ms);
  return verdict;
}

TEST(OffenderWatch, ANeighbourThatNeverAnswersIsALiarAfterTwentyExpiries) {
  OffenderWatch w;
  EXPECT_EQ(expire(w, 19), std::nullopt) << "a loaded honest one lets many expire";
  EXPECT_EQ(w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch + 1s, kEpoch + 2s), Offence::liar);
}

TEST(OffenderWatch, OneThatSentSomeOfWhatWeAskedButNeverAnsweredIsSlow) {
  OffenderWatch w;
  w.sent_asked(kNeighbour);
  EXPECT_EQ(expire(w, 20), Offence::slow);
}

TEST(OffenderWatch, DataWeDidNotAskForDoesNotMakeALiarSlow) {
  OffenderWatch w;
  w.sent_data(kNeighbour, kEpoch - 1h);  // a push down a tree
  EXPECT_EQ(expire(w, 20), Offence::liar);
}

TEST(OffenderWatch, ASuspectLetARequestExpireAndHasSaidNothingSince) {
  OffenderWatch w;
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 2s));
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 2s));
  w.rejected(kNeighbour, kEpoch + 1200ms);
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 2s)) << "an honest busy one REJECTs";
}

TEST(OffenderWatch, AWordBeforeTheExpiredRequestWasMadeDoesNotClearASuspect) {
  OffenderWatch w;
  w.sent_data(kNeighbour, kEpoch - 1s);
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 2s));
}

TEST(OffenderWatch, OneThatSentSomeOfARequestThatExpiredIsASuspectTillItAnswers) {
  OffenderWatch w;
  w.sent_asked(kNeighbour);
  w.sent_data(kNeighbour, kEpoch + 10ms);
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 2s)) << "the rest of it may trickle";
  w.answered(kNeighbour);
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 2s));
}

TEST(OffenderWatch, OneThatAnsweredIsASuspectWhileItSentPiecesLateLately) {
  OffenderWatch w;
  w.answered(kNeighbour);
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 1s)) << "an honest one is late now and then";
  w.piece(kNeighbour, ChunkSeq(1), 0, 8000, kRate, kRoom, kEpoch + 1100ms);
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 1100ms)) << "the rest of it may trickle";
  w.piece(kNeighbour, ChunkSeq(1), 1, 8000, kRate, kRoom, kEpoch + 2600ms);
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 3s)) << "it may trickle";
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 13s));
}

TEST(OffenderWatch, APieceLateFromOneThatSaidItsUplinkWasFullIsNoSign) {
  OffenderWatch w;
  w.answered(kNeighbour);
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  w.piece(kNeighbour, ChunkSeq(1), 0, 8000, kRate, kRate / 2, kEpoch + 1100ms);
  EXPECT_FALSE(w.suspect(kNeighbour, kEpoch + 1100ms));
}

TEST(OffenderWatch, OneThatWasConvictedIsNoSuspect) {
  OffenderWatch convicted;
  expire(convicted, 3);
  EXPECT_EQ(convicted.judge(kEpoch + 5s), std::vector{kNeighbour});
  EXPECT_FALSE(convicted.suspect(kNeighbour, kEpoch + 5s));
}

TEST(OffenderWatch, ThreeRequestsLeftWithoutAWordMakeALiar) {
  OffenderWatch w;
  expire(w, 3);
  EXPECT_TRUE(w.judge(kEpoch + 1s).empty()) << "judged only after the grace";
  EXPECT_EQ(w.judge(kEpoch + 2s), std::vector{kNeighbour});
  EXPECT_TRUE(w.judge(kEpoch + 3s).empty()) << "once";
}

TEST(OffenderWatch, AWordWithinTheGraceIsNoSilence) {
  OffenderWatch w;
  expire(w, 3);
  w.rejected(kNeighbour, kEpoch + 1s);  // a REJECT after the requests, before the judging
  EXPECT_TRUE(w.judge(kEpoch + 5s).empty());
  OffenderWatch data;
  expire(data, 3);
  data.sent_data(kNeighbour, kEpoch + 1s);
  EXPECT_TRUE(data.judge(kEpoch + 5s).empty());
}

TEST(OffenderWatch, ALinkClosingCutsTheGraceShort) {
  OffenderWatch w;
  expire(w, 3);  // expired at +0, +100 and +200 ms
  EXPECT_FALSE(w.closing(kNeighbour, kEpoch + 600ms)) << "its REJECT of the last may be on its way";
  OffenderWatch late;
  expire(late, 3);
  EXPECT_TRUE(late.closing(kNeighbour, kEpoch + 700ms));
  EXPECT_TRUE(late.judge(kEpoch + 2s).empty()) << "once";
}

TEST(OffenderWatch, ALinkClosingConvictsNoneThatSpoke) {
  OffenderWatch w;
  expire(w, 3);
  w.rejected(kNeighbour, kEpoch + 150ms);  // after two of the three were made
  EXPECT_FALSE(w.closing(kNeighbour, kEpoch + 1s));
  OffenderWatch two;
  expire(two, 2);
  EXPECT_FALSE(two.closing(kNeighbour, kEpoch + 1s));
}

TEST(OffenderWatch, OneThatAnsweredOnceIsNeverConvictedByExpiries) {
  OffenderWatch w;
  expire(w, 3);
  w.answered(kNeighbour);
  EXPECT_TRUE(w.has_answered(kNeighbour));
  EXPECT_EQ(expire(w, 20), std::nullopt);
}

TEST(OffenderWatch, ExpiriesAreCountedPerNeighbour) {
  OffenderWatch w;
  expire(w, 19);
  EXPECT_EQ(w.expired(ConnId(8), ChunkSeq(1), kAllStripes, kEpoch, kEpoch), std::nullopt);
  EXPECT_EQ(w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s), Offence::liar);
}

// Honest viewers ask a neighbour at most some 17 times a second (simulation,
// every hostile kind); a flooder's first burst is 300.
TEST(OffenderWatch, MoreThanAHundredRequestsInASecondIsAFlood) {
  OffenderWatch w;
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(w.requested(kNeighbour, kEpoch + 900ms), std::nullopt) << "request " << i;
  EXPECT_EQ(w.requested(kNeighbour, kEpoch + 999ms), Offence::flood);
  // A new second starts over.
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(w.requested(kNeighbour, kEpoch + 1s), std::nullopt) << "request " << i;
  EXPECT_EQ(w.requested(kNeighbour, kEpoch + 1s), Offence::flood);
}

TEST(OffenderWatch, ThreeUnreachablePortsOnOneHostMarkItAsHandingOutFalseAddresses) {
  OffenderWatch w;
  EXPECT_FALSE(w.unreachable({"10.0.0.1", 5001}, kEpoch));
  EXPECT_FALSE(w.unreachable({"10.0.0.1", 5001}, kEpoch + 1s)) << "the same port counts once";
  EXPECT_FALSE(w.unreachable({"10.0.0.1", 5002}, kEpoch + 2s));
  EXPECT_FALSE(w.unreachable({"10.0.0.2", 5003}, kEpoch + 3s)) << "another host, counted apart";
  EXPECT_TRUE(w.unreachable({"10.0.0.1", 5003}, kEpoch + 4s));
  EXPECT_EQ(w.unreachable_since("10.0.0.1"), kEpoch);
  EXPECT_EQ(w.unreachable_since("10.0.0.2"), kEpoch + 3s);
  EXPECT_EQ(w.unreachable_since("10.0.0.3"), std::nullopt);
}

TEST(OffenderWatch, AReachedPortIsForgiven) {
  OffenderWatch w;
  w.unreachable({"10.0.0.1", 5001}, kEpoch);
  w.unreachable({"10.0.0.1", 5002}, kEpoch);
  w.reached({"10.0.0.1", 5002});  // it had only not started yet
  EXPECT_FALSE(w.unreachable({"10.0.0.1", 5003}, kEpoch + 1s));
  EXPECT_TRUE(w.unreachable({"10.0.0.1", 5004}, kEpoch + 2s));
}

// Behind a NAT shared with viewers that answer, three that left are no sybil.
TEST(OffenderWatch, UnreachablePortsMustOutnumberTheReachedOnesOnTheirHost) {
  OffenderWatch w;
  for (uint16_t port = 6001; port <= 6004; ++port) w.reached({"10.0.0.1", port});
  for (uint16_t port = 5001; port <= 5004; ++port)
    EXPECT_FALSE(w.unreachable({"10.0.0.1", port}, kEpoch)) << port;
  EXPECT_TRUE(w.unreachable({"10.0.0.1", 5005}, kEpoch + 1s)) << "five against four";
}

TEST(OffenderWatch, FirstSignIsTheFirstExpiry) {
  OffenderWatch w;
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::liar), std::nullopt);
  expire(w, 6, kEpoch + 3s);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::liar), kEpoch + 3s);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::slow), kEpoch + 3s);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::flood), std::nullopt);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::forge), std::nullopt);
}

TEST(OffenderWatch, FirstSignOfAFloodIsTheFirstRequestOverTheRate) {
  OffenderWatch w({.max_requests_per_second = 2});
  for (int i = 0; i < 2; ++i) w.requested(kNeighbour, kEpoch);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::flood), std::nullopt);
  w.requested(kNeighbour, kEpoch + 500ms);
  w.requested(kNeighbour, kEpoch + 600ms);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::flood), kEpoch + 500ms);
}

// Our request for `stripes` of `seq` ran out at `expired`, and two pieces
// of it came: one just after, the next `gap` later; the second's verdict.
std::optional<Offence> trickle(OffenderWatch& w, ChunkSeq seq, WallTime expired,
                               std::chrono::milliseconds gap, uint8_t stripes = 0b0010) {
  w.expired(kNeighbour, seq, stripes, expired - 1s, expired);
  EXPECT_EQ(w.piece(kNeighbour, seq, 1, 8000, kRate, kRoom, expired + 100ms), std::nullopt)
      << "the first late piece was on its way";
  return w.piece(kNeighbour, seq, 1, 8000, kRate, kRoom, expired + 100ms + gap);
}

TEST(OffenderWatch, TwoRequestsTakenAndTrickledPastTheirWaitWithinTenSecondsAreSlow) {
  OffenderWatch w;
  w.answered(kNeighbour);  // it answered before: tricklers do, in the end
  EXPECT_EQ(trickle(w, ChunkSeq(5), kEpoch + 1s, 1500ms), std::nullopt) << "8 000 bytes in 1.5 s, once";
  EXPECT_TRUE(w.suspect(kNeighbour, kEpoch + 3s));
  EXPECT_EQ(trickle(w, ChunkSeq(9), kEpoch + 10s, 1500ms), Offence::slow);
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::slow), kEpoch + 1s);
}

TEST(OffenderWatch, ThreePiecesTrickledAfterARequestRanOutAreSlowAtOnce) {
  OffenderWatch w;
  w.expired(kNeighbour, ChunkSeq(5), kAllStripes, kEpoch, kEpoch + 1s);
  w.piece(kNeighbour, ChunkSeq(5), 0, 8000, kRate, kRoom, kEpoch + 1100ms);
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 1, 8000, kRate, kRoom, kEpoch + 2600ms), std::nullopt);
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 2, 8000, kRate, kRoom, kEpoch + 4100ms), Offence::slow)
      << "16 000 bytes in 3 s";
}

TEST(OffenderWatch, ALateBurstIsNoTrickle) {
  // An honest uploader held up by its pushes, then sending at its pace.
  OffenderWatch w;
  trickle(w, ChunkSeq(2), kEpoch + 1s, 1500ms);
  w.expired(kNeighbour, ChunkSeq(5), kAllStripes, kEpoch + 2s, kEpoch + 3s);
  for (const std::chrono::milliseconds at : {4000ms, 4400ms, 4500ms, 4600ms})
    EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 0, 8000, kRate, kRoom, kEpoch + at), std::nullopt);
}

TEST(OffenderWatch, TricklesMoreThanTenSecondsApartAreForgiven) {
  OffenderWatch w;
  EXPECT_EQ(trickle(w, ChunkSeq(5), kEpoch + 1s, 1500ms), std::nullopt);
  EXPECT_EQ(trickle(w, ChunkSeq(9), kEpoch + 12s, 1500ms), std::nullopt);
  EXPECT_EQ(trickle(w, ChunkSeq(12), kEpoch + 14s, 1500ms), Offence::slow);
}

TEST(OffenderWatch, TheRestOfARequestComingAtPaceIsNoOffence) {
  OffenderWatch w;
  trickle(w, ChunkSeq(2), kEpoch + 1s, 1500ms);  // one more would convict
  w.expired(kNeighbour, ChunkSeq(5), kAllStripes, kEpoch + 2s, kEpoch + 3s);
  for (int i = 1; i <= 10; ++i)
    EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), i % 4, 8000, kRate, kRoom, kEpoch + 3s + i * 100ms),
              std::nullopt);
}

TEST(OffenderWatch, ATrickleIsExcusedWhenItSaidItsUplinkWasFull) {
  OffenderWatch w;
  trickle(w, ChunkSeq(2), kEpoch + 1s, 1500ms);
  w.expired(kNeighbour, ChunkSeq(5), kAllStripes, kEpoch + 2s, kEpoch + 3s);
  w.piece(kNeighbour, ChunkSeq(5), 0, 8000, kRate, 1000, kEpoch + 3100ms);
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 1, 8000, kRate, 1000, kEpoch + 5s), std::nullopt);
}

TEST(OffenderWatch, AREJECTForTheChunkDoesNotExcuseATrickleOfIt) {
  // Its other stripes were queued behind the trickle, and turned away.
  OffenderWatch w;
  trickle(w, ChunkSeq(2), kEpoch + 1s, 1500ms);
  w.expired(kNeighbour, ChunkSeq(5), kAllStripes, kEpoch + 2s, kEpoch + 3s);
  w.rejected(kNeighbour, kEpoch + 3100ms);
  w.piece(kNeighbour, ChunkSeq(5), 0, 8000, kRate, kRoom, kEpoch + 3200ms);
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 1, 8000, kRate, kRoom, kEpoch + 5s), Offence::slow);
}

TEST(OffenderWatch, OnlyTheStripesAskedForMakeATrickle) {
  OffenderWatch w;
  trickle(w, ChunkSeq(2), kEpoch + 1s, 1500ms);
  w.expired(kNeighbour, ChunkSeq(5), 0b0001, kEpoch + 2s, kEpoch + 3s);
  w.piece(kNeighbour, ChunkSeq(5), 0, 8000, kRate, kRoom, kEpoch + 3100ms);
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(5), 2, 8000, kRate, kRoom, kEpoch + 5s), std::nullopt)
      << "a stripe we did not ask it for";
  EXPECT_EQ(w.piece(kNeighbour, ChunkSeq(6), 0, 8000, kRate, kRoom, kEpoch + 5s), std::nullopt)
      << "another chunk";
}

TEST(OffenderWatch, OneThatLetARequestExpireLatelyFailedUs) {
  OffenderWatch w;
  w.answered(kNeighbour);
  EXPECT_FALSE(w.failed_us(kNeighbour, kEpoch));
  w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.failed_us(kNeighbour, kEpoch + 2s));
  EXPECT_FALSE(w.failed_us(kNeighbour, kEpoch + 12s)) << "it answered before";
  w.failed(kNeighbour, kEpoch + 20s);  // a REJECT at the end of the wait
  EXPECT_TRUE(w.failed_us(kNeighbour, kEpoch + 21s));
  OffenderWatch never;
  never.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(never.failed_us(kNeighbour, kEpoch + 12s)) << "until it answers one";
}

TEST(OffenderWatch, ForgetClearsARecord) {
  OffenderWatch w;
  expire(w, 5);
  w.answered(ConnId(8));
  w.forget(kNeighbour);
  w.forget(ConnId(8));
  EXPECT_FALSE(w.has_answered(ConnId(8)));
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::liar), std::nullopt);
  EXPECT_EQ(w.expired(kNeighbour, ChunkSeq(1), kAllStripes, kEpoch, kEpoch + 1s), std::nullopt)
      << "counting starts over";
}

}  // namespace
}  // namespace shoal
