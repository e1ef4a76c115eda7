#pragma once
// RateMeter: bytes per second over a sliding window (default 10 s), in
// one-second buckets. Sans IO: the caller passes the time. The choker ranks
// neighbours by what they sent us through one of these; a node measures its
// own upload with another.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

#include "media/chunk.h"

namespace shoal {

class RateMeter {
 public:
  static constexpr int kMaxSeconds = 30;

  explicit RateMeter(int window_seconds = 10)
      : seconds_(std::clamp(window_seconds, 1, kMaxSeconds)) {}

  void add(uint64_t bytes, WallTime now) {
    advance(now);
    buckets_[slot(now)] += bytes;
  }

  // Bytes per second over the window ending now.
  double rate(WallTime now) {
    advance(now);
    uint64_t total = 0;
    for (int i = 0; i < seconds_; ++i) total += buckets_[i];
    return static_cast<double>(total) / seconds_;
  }

 private:
  static int64_t second_of(WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  }
  size_t slot(WallTime t) const { return static_cast<size_t>(second_of(t) % seconds_); }

  // Empties the buckets of the seconds that passed since the last call.
  void advance(WallTime now) {
    const int64_t s = second_of(now);
    if (s <= last_second_) return;
    const int64_t stale = std::min<int64_t>(s - last_second_, seconds_);
    for (int64_t i = 1; i <= stale; ++i) buckets_[(last_second_ + i) % seconds_] = 0;
    last_second_ = s;
  }

  int seconds_;
  std::array<uint64_t, kMaxSeconds> buckets_{};
  int64_t last_second_ = 0;
};

}  // namespace shoal
