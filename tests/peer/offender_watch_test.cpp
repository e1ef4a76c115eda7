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

// `n` of our requests to kNeighbour, each made a second before, expire
// 100 ms apart; the last verdict.
std::optional<Offence> expire(OffenderWatch& w, int n, WallTime from = kEpoch) {
  std::optional<Offence> verdict;
  for (int i = 0; i < n; ++i) verdict = w.expired(kNeighbour, from + i * 100ms - 1s, from + i * 100ms);
  return verdict;
}

TEST(OffenderWatch, ANeighbourThatNeverAnswersIsALiarAfterTwentyExpiries) {
  OffenderWatch w;
  EXPECT_EQ(expire(w, 19), std::nullopt) << "a loaded honest one lets many expire";
  EXPECT_EQ(w.expired(kNeighbour, kEpoch + 1s, kEpoch + 2s), Offence::liar);
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
  EXPECT_FALSE(w.suspect(kNeighbour));
  w.expired(kNeighbour, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.suspect(kNeighbour));
  w.rejected(kNeighbour, kEpoch + 1200ms);
  EXPECT_FALSE(w.suspect(kNeighbour)) << "an honest busy one REJECTs";
}

TEST(OffenderWatch, AWordBeforeTheExpiredRequestWasMadeDoesNotClearASuspect) {
  OffenderWatch w;
  w.sent_data(kNeighbour, kEpoch - 1s);
  w.expired(kNeighbour, kEpoch, kEpoch + 1s);
  EXPECT_TRUE(w.suspect(kNeighbour));
}

TEST(OffenderWatch, OneThatAnsweredOrWasConvictedIsNoSuspect) {
  OffenderWatch answered;
  answered.expired(kNeighbour, kEpoch, kEpoch + 1s);
  answered.answered(kNeighbour);
  EXPECT_FALSE(answered.suspect(kNeighbour));
  OffenderWatch convicted;
  expire(convicted, 3);
  EXPECT_EQ(convicted.judge(kEpoch + 5s), std::vector{kNeighbour});
  EXPECT_FALSE(convicted.suspect(kNeighbour));
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
  EXPECT_EQ(w.expired(ConnId(8), kEpoch, kEpoch), std::nullopt);
  EXPECT_EQ(w.expired(kNeighbour, kEpoch, kEpoch + 1s), Offence::liar);
}

TEST(OffenderWatch, MoreThanAThousandRequestsInASecondIsAFlood) {
  OffenderWatch w;
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(w.requested(kNeighbour, kEpoch + 900ms), std::nullopt) << "request " << i;
  EXPECT_EQ(w.requested(kNeighbour, kEpoch + 999ms), Offence::flood);
  // A new second starts over.
  for (int i = 0; i < 1000; ++i)
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

TEST(OffenderWatch, ForgetClearsARecord) {
  OffenderWatch w;
  expire(w, 5);
  w.answered(ConnId(8));
  w.forget(kNeighbour);
  w.forget(ConnId(8));
  EXPECT_FALSE(w.has_answered(ConnId(8)));
  EXPECT_EQ(w.first_sign(kNeighbour, Offence::liar), std::nullopt);
  EXPECT_EQ(w.expired(kNeighbour, kEpoch, kEpoch + 1s), std::nullopt) << "counting starts over";
}

}  // namespace
}  // namespace shoal
