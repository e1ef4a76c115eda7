#include "overlay/dht/dht_id.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace shoal {

Ring::Ring(int bits)
    : bits_(bits), mask_(bits == kMaxBits ? ~Uint160(0) : (Uint160(1) << bits) - 1) {}

Result<Ring> Ring::make(int bits) {
  if (bits < 3 || bits > kMaxBits) {
    return Error{"the identifier circle needs 3 to 160 bits, not " + std::to_string(bits)};
  }
  return Ring(bits);
}

DhtId Ring::hash(std::string_view text) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
  Uint160 v;
  boost::multiprecision::import_bits(v, digest.begin(), digest.begin() + size);
  return wrap(v);
}

Result<DhtId> Ring::parse(std::string_view decimal) const {
  const auto bad = [&] {
    return Error{"'" + std::string(decimal) + "' is not an id on a " + std::to_string(bits_) +
                 "-bit circle (a decimal number below 2^" + std::to_string(bits_) + ")"};
  };
  // 2^160 has 49 digits; anything longer is out of range before it overflows.
  if (decimal.empty() || decimal.size() > 49 ||
      !std::ranges::all_of(decimal, [](char c) { return c >= '0' && c <= '9'; }))
    return bad();
  const boost::multiprecision::cpp_int v{std::string(decimal)};
  if (v > boost::multiprecision::cpp_int{mask_}) return bad();
  return DhtId(v.convert_to<Uint160>());
}

Result<DhtId> Ring::key(std::string_view text) const {
  if (!text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
    return parse(text);
  return hash(text);
}

DhtId Ring::finger_start(const DhtId& n, int i) const { return wrap(n.value + (Uint160(1) << i)); }

bool Ring::in_half_open(const DhtId& x, const DhtId& a, const DhtId& b) const {
  const Uint160 span = distance(a, b);
  const Uint160 at = distance(a, x);
  if (span == 0) return true;
  return at != 0 && at <= span;
}

bool Ring::in_open(const DhtId& x, const DhtId& a, const DhtId& b) const {
  const Uint160 at = distance(a, x);
  if (a == b) return at != 0;
  return at != 0 && at < distance(a, b);
}

}  // namespace shoal
