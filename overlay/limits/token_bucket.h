#pragma once
// TokenBucket: an upload limit. It fills at `rate` bytes per second up to
// `burst` bytes; sending n bytes takes n tokens. Sans IO: the caller passes
// the time, and asks when enough tokens will be there.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace shoal {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // A rate of 0 means unlimited.
  TokenBucket(double bytes_per_second, double burst_bytes)
      : rate_(bytes_per_second), burst_(burst_bytes), tokens_(burst_bytes) {}

  bool unlimited() const { return rate_ <= 0; }

  // Takes `bytes` tokens if they are all there now.
  bool try_take(double bytes, Clock::time_point now) {
    if (unlimited()) return true;
    refill(now);
    if (tokens_ < bytes) return false;
    tokens_ -= bytes;
    return true;
  }

  // When `bytes` tokens will be there (now if they already are). A request
  // larger than the burst waits for a full bucket.
  Clock::time_point ready_at(double bytes, Clock::time_point now) {
    if (unlimited()) return now;
    refill(now);
    const double missing = std::min(bytes, burst_) - tokens_;
    if (missing <= 0) return now;
    return now + std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>(missing / rate_));
  }

  // Changes the rate and burst from `now` on. Tokens earned so far are kept
  // (up to the new burst), so a rate that follows the stream does not hand
  // out a fresh burst at every change; leaving unlimited starts full.
  void set_rate(double bytes_per_second, double burst_bytes, Clock::time_point now) {
    if (unlimited()) {
      tokens_ = burst_bytes;
    } else {
      refill(now);
      tokens_ = std::min(tokens_, burst_bytes);
    }
    rate_ = bytes_per_second;
    burst_ = burst_bytes;
    last_ = now;
  }

  // Takes `bytes` tokens, going into debt if needed (a frame too large for
  // the bucket still goes out, and later sends wait for the debt to clear).
  void take(double bytes, Clock::time_point now) {
    if (unlimited()) return;
    refill(now);
    tokens_ -= bytes;
  }

 private:
  void refill(Clock::time_point now) {
    if (last_ != Clock::time_point{}) {
      tokens_ =
          std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    }
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace shoal
