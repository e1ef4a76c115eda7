// A suspect neighbour is probed one stripe at a time, at most once per
// timeout, until it answers; probes stand apart from the scheduler's
// requests.
#include "peer/prober.h"

#include <gtest/gtest.h>

#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const ConnId kSuspect(7), kOther(8);
const ChunkSeq kSeq(40);

TEST(Prober, AProbeAsksOneStripeAndExpiresAfterTheTimeout) {
  Prober p(1s);
  const auto r = p.probe(kSuspect, kSeq, 2, kEpoch);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->conn, kSuspect);
  EXPECT_EQ(r->seq, kSeq);
  EXPECT_EQ(r->stripes, 0b0100);
  EXPECT_EQ(r->expires, kEpoch + 1s);
  EXPECT_EQ(p.next_expiry(), kEpoch + 1s);
  EXPECT_TRUE(p.expire(kEpoch + 999ms).empty());
  const auto expired = p.expire(kEpoch + 1s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].sent, kEpoch) << "for OffenderWatch: when it was made";
  EXPECT_EQ(p.next_expiry(), std::nullopt);
}

TEST(Prober, OneProbeOutPerSuspectAndAtMostOncePerTimeout) {
  Prober p(1s);
  ASSERT_TRUE(p.probe(kSuspect, kSeq, 0, kEpoch));
  EXPECT_FALSE(p.probe(kSuspect, kSeq, 1, kEpoch + 100ms)) << "one out already";
  EXPECT_TRUE(p.probe(kOther, kSeq, 1, kEpoch + 100ms));
  p.rejected(kSeq, kSuspect);
  EXPECT_FALSE(p.asked_of(kSeq, kSuspect, kAllStripes));
  EXPECT_FALSE(p.probe(kSuspect, kSeq, 1, kEpoch + 200ms)) << "a REJECT storm would be a flood";
  EXPECT_TRUE(p.probe(kSuspect, kSeq, 1, kEpoch + 1s));
}

TEST(Prober, TheStripeAskedFromTheSuspectAnswersItsProbe) {
  Prober p(1s);
  p.probe(kSuspect, kSeq, 3, kEpoch);
  EXPECT_TRUE(p.asked_of(kSeq, kSuspect, 0b1000));
  EXPECT_FALSE(p.asked_of(kSeq, kSuspect, 0b0111));
  p.received(kSeq, kOther, 0b1000);
  EXPECT_TRUE(p.asked_of(kSeq, kSuspect, 0b1000)) << "the stripe from elsewhere does not call it off";
  p.received(kSeq, kSuspect, 0b0001);
  EXPECT_TRUE(p.asked_of(kSeq, kSuspect, 0b1000)) << "nor another stripe";
  p.received(kSeq, kSuspect, 0b1000);
  EXPECT_FALSE(p.asked_of(kSeq, kSuspect, kAllStripes));
  EXPECT_TRUE(p.expire(kEpoch + 5s).empty());
}

TEST(Prober, AStripeOfAChunkHeldAnswersItsProbeOnceItsPiecesHaveAllCome) {
  Prober p(1s);
  ASSERT_TRUE(p.probe(kSuspect, kSeq, 1, kEpoch));
  // 10 pieces: stripe 1 is pieces 1, 5 and 9.
  EXPECT_FALSE(p.held_piece(kSeq, kSuspect, 5, 10));
  EXPECT_FALSE(p.held_piece(kSeq, kSuspect, 2, 10)) << "another stripe";
  EXPECT_FALSE(p.held_piece(kSeq, kOther, 1, 10)) << "another neighbour";
  EXPECT_FALSE(p.held_piece(kSeq, kSuspect, 1, 10));
  EXPECT_TRUE(p.held_piece(kSeq, kSuspect, 9, 10));
  EXPECT_TRUE(p.expire(kEpoch + 1s).empty()) << "answered";
}

TEST(Prober, ForgetDropsTheProbeAndItsPace) {
  Prober p(1s);
  p.probe(kSuspect, kSeq, 0, kEpoch);
  p.forget(kSuspect);
  EXPECT_FALSE(p.probing(kSuspect, kEpoch));
  EXPECT_TRUE(p.expire(kEpoch + 5s).empty());
}

}  // namespace
}  // namespace shoal
