#pragma once
// DhtId and Ring: points on Chord's identifier circle and its arithmetic.
//
// A Ring of `bits` (3 to 160) has 2^bits points, 0 to 2^bits - 1. Intervals
// and distances run clockwise and wrap past zero: (a, b] is the points after
// a up to b, and (a, a] is the whole circle. A node's id is the SHA-1 of its
// address and a key's the SHA-1 of its text, each reduced to the ring (the
// low `bits` bits), unless given as a decimal number.

#include <boost/multiprecision/cpp_int.hpp>
#include <compare>
#include <string>
#include <string_view>

#include "media/result.h"

namespace shoal {

// 160-bit unsigned arithmetic, wrapping modulo 2^160.
using Uint160 = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<
    160, 160, boost::multiprecision::unsigned_magnitude, boost::multiprecision::unchecked, void>>;

struct DhtId {
  Uint160 value;

  DhtId() = default;
  explicit DhtId(Uint160 v) : value(std::move(v)) {}
  bool operator==(const DhtId&) const = default;
  auto operator<=>(const DhtId& o) const {
    return value < o.value   ? std::strong_ordering::less
           : o.value < value ? std::strong_ordering::greater
                             : std::strong_ordering::equal;
  }
  std::string to_string() const { return value.str(); }  // decimal
};

class Ring {
 public:
  static constexpr int kMaxBits = 160;
  static Result<Ring> make(int bits);  // an error unless 3 <= bits <= 160

  int bits() const { return bits_; }
  DhtId wrap(const Uint160& v) const { return DhtId(v & mask_); }
  DhtId hash(std::string_view text) const;
  // A decimal id below 2^bits; anything else is an error a user can act on.
  Result<DhtId> parse(std::string_view decimal) const;
  // A key as users write it: a decimal id when it is all digits, else the
  // hash of the text.
  Result<DhtId> key(std::string_view text) const;

  // n + 2^i: where the i-th finger of n starts (0 <= i < bits).
  DhtId finger_start(const DhtId& n, int i) const;
  // Clockwise steps from `from` to `to`.
  Uint160 distance(const DhtId& from, const DhtId& to) const {
    return (to.value - from.value) & mask_;
  }
  // x in (a, b]; (a, a] is the whole circle.
  bool in_half_open(const DhtId& x, const DhtId& a, const DhtId& b) const;
  // x in (a, b); (a, a) is the whole circle but a.
  bool in_open(const DhtId& x, const DhtId& a, const DhtId& b) const;

 private:
  explicit Ring(int bits);
  int bits_;
  Uint160 mask_;
};

}  // namespace shoal
