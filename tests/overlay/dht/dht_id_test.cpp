// Chord's identifier circle: ids below 2^bits, SHA-1 reduced to the circle,
// intervals and finger starts that wrap past zero.
#include "overlay/dht/dht_id.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

Ring ring(int bits) { return *Ring::make(bits); }
DhtId id(uint64_t v) { return DhtId(Uint160(v)); }

TEST(Ring, AcceptsThreeTo160Bits) {
  EXPECT_FALSE(Ring::make(2).ok());
  EXPECT_TRUE(Ring::make(3).ok());
  EXPECT_TRUE(Ring::make(160).ok());
  EXPECT_FALSE(Ring::make(161).ok());
  EXPECT_NE(Ring::make(0).error().find("3 to 160"), std::string::npos);
}

TEST(Ring, HashIsSha1ReducedToTheCircle) {
  // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
  EXPECT_EQ(ring(160).hash("abc").to_string(), "968236873715988614170569073515315707566766479517");
  EXPECT_EQ(ring(6).hash("abc"), id(0x9d & 63));
  EXPECT_EQ(ring(32).hash("abc"), id(0x9cd0d89d));
}

TEST(Ring, ParsesDecimalIdsBelowTheCircleSize) {
  EXPECT_EQ(*ring(6).parse("63"), id(63));
  EXPECT_EQ(*ring(6).parse("0"), id(0));
  EXPECT_FALSE(ring(6).parse("64").ok());
  EXPECT_FALSE(ring(6).parse("-1").ok());
  EXPECT_FALSE(ring(6).parse("").ok());
  EXPECT_NE(ring(6).parse("64").error().find("below 2^6"), std::string::npos);
  const std::string top = "1461501637330902918203684832716283019655932542975";  // 2^160 - 1
  EXPECT_EQ(ring(160).parse(top)->to_string(), top);
  EXPECT_FALSE(ring(160).parse("1461501637330902918203684832716283019655932542976").ok());
  EXPECT_FALSE(ring(160).parse(std::string(80, '9')).ok());
}

TEST(Ring, AKeyIsADecimalIdWhenAllDigitsElseTheHashOfItsText) {
  EXPECT_EQ(*ring(6).key("42"), id(42));
  EXPECT_EQ(*ring(6).key("abc"), ring(6).hash("abc"));
  EXPECT_FALSE(ring(6).key("99").ok());
}

TEST(Ring, HalfOpenIntervalsRunClockwiseAndWrapPastZero) {
  const Ring r = ring(6);
  EXPECT_TRUE(r.in_half_open(id(10), id(8), id(14)));
  EXPECT_TRUE(r.in_half_open(id(14), id(8), id(14)));  // the end belongs
  EXPECT_FALSE(r.in_half_open(id(8), id(8), id(14)));  // the start does not
  EXPECT_FALSE(r.in_half_open(id(20), id(8), id(14)));
  EXPECT_TRUE(r.in_half_open(id(62), id(56), id(1)));  // wraps
  EXPECT_TRUE(r.in_half_open(id(0), id(56), id(1)));
  EXPECT_TRUE(r.in_half_open(id(1), id(56), id(1)));
  EXPECT_FALSE(r.in_half_open(id(2), id(56), id(1)));
  EXPECT_TRUE(r.in_half_open(id(5), id(8), id(8)));  // (a, a] is the whole circle
  EXPECT_TRUE(r.in_half_open(id(8), id(8), id(8)));
}

TEST(Ring, OpenIntervalsLeaveOutBothEnds) {
  const Ring r = ring(6);
  EXPECT_TRUE(r.in_open(id(10), id(8), id(14)));
  EXPECT_FALSE(r.in_open(id(14), id(8), id(14)));
  EXPECT_TRUE(r.in_open(id(0), id(60), id(2)));
  EXPECT_TRUE(r.in_open(id(5), id(8), id(8)));  // (a, a) is all but a
  EXPECT_FALSE(r.in_open(id(8), id(8), id(8)));
}

TEST(Ring, FingerStartsAreNPlusPowersOfTwoAroundTheCircle) {
  const Ring r = ring(6);
  EXPECT_EQ(r.finger_start(id(8), 0), id(9));
  EXPECT_EQ(r.finger_start(id(8), 5), id(40));
  EXPECT_EQ(r.finger_start(id(60), 3), id(4));  // 68 mod 64
  const Ring big = ring(160);
  EXPECT_EQ(big.finger_start(id(0), 159).to_string(),
            "730750818665451459101842416358141509827966271488");  // 2^159
  EXPECT_EQ(big.finger_start(big.finger_start(id(0), 159), 159), id(0));
}

TEST(Ring, DistanceIsClockwise) {
  const Ring r = ring(6);
  EXPECT_EQ(r.distance(id(8), id(14)), Uint160(6));
  EXPECT_EQ(r.distance(id(14), id(8)), Uint160(58));
}

}  // namespace
}  // namespace shoal
