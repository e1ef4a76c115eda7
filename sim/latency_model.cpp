#include "sim/latency_model.h"

#include <algorithm>
#include <cmath>

namespace shoal::sim {

namespace {

// SplitMix64: a well-mixed 64-bit value from any 64-bit input.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A uniform double in [0, 1) from the top 53 bits.
double unit(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

}  // namespace

LatencyModel::Place LatencyModel::place(std::string_view host) const {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: the same on every platform, unlike std::hash
  for (const char c : host) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  const uint64_t first = mix(h ^ seed_);
  return Place{unit(first), unit(mix(first))};
}

SimTime LatencyModel::between(std::string_view a, std::string_view b) const {
  if (min_ == max_) return min_;
  const Place p = place(a), q = place(b);
  const double apart = std::abs(p.ring - q.ring);
  const double f = (p.access + q.access) / 4 + std::min(apart, 1 - apart);
  const double span = static_cast<double>((max_ - min_).count());
  return min_ + SimTime(static_cast<int64_t>(std::llround(f * span)));
}

}  // namespace shoal::sim
