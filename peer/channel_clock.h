#pragma once
// ChannelClock: a viewer's reading of the channel's clock, the source's wall
// clock on which capture times are stamped. A viewer's own wall clock may be
// seconds off, or be stepped while it watches; its monotonic clock only
// runs. So the reading is the monotonic time plus an offset, estimated
// NTP-style from queries to neighbours:
//
// A TIME_QUERY leaves at local monotonic t0; the answerer reads the channel
// clock as t1 when it arrives and t2 when it answers; the TIME_REPLY comes
// back at t3. The offset is ((t1 - t0) + (t2 - t3)) / 2, wrong by at most
// half the round trip plus the answerer's own error bound: 0 for the source,
// its estimate's for a viewer. So a viewer that never talked to the source
// learns the clock through its neighbours, each hop adding its bound.
//
// The estimate is the sample with the smallest bound, every bound growing
// with the sample's age (the two clocks drift): NTP's minimum-delay filter,
// which passes over samples a queue delayed one way. A sample whose bounds
// exclude the estimate's is an outlier, ignored; two such in a row mean that
// a clock stepped (the source's, or a host that slept), and the estimate
// starts again from them.
//
// Until the first sample it reads the local wall clock, given at
// construction as its offset from the monotonic one. Pure logic: times in,
// readings out; whole milliseconds on the channel's side.

#include <chrono>
#include <deque>
#include <optional>

#include "media/chunk.h"

namespace shoal {

class ChannelClock {
 public:
  // One answered query.
  struct Sample {
    MonoTime sent;                       // t0, here
    WallTime received;                   // t1, the answerer's reading
    WallTime answered;                   // t2, the answerer's reading
    MonoTime back;                       // t3, here
    std::chrono::milliseconds error{0};  // the answerer's own bound
  };

  // `wall_minus_mono`: the local wall clock's reading minus the monotonic
  // clock's, what it reads until a sample.
  explicit ChannelClock(std::chrono::nanoseconds wall_minus_mono = {})
      : offset_(wall_minus_mono) {}

  WallTime read(MonoTime local) const;
  // When the monotonic clock will be at channel time `t`.
  MonoTime local(WallTime t) const;

  void add(const Sample& s);
  // A sample has come: the reading is the channel's, not the local wall clock.
  bool synced() const { return !samples_.empty(); }
  // How far read() may be wrong at `now`; nullopt before a sample.
  std::optional<std::chrono::milliseconds> error(MonoTime now) const;
  // The reading minus the monotonic clock.
  std::chrono::nanoseconds offset() const { return offset_; }

  // How fast a bound grows with age: 100 ppm, well above a quartz clock's drift.
  static constexpr double kDrift = 1e-4;
  // Samples kept: a few minutes' worth of queries to a dozen neighbours.
  static constexpr size_t kKept = 64;

 private:
  struct Kept {
    std::chrono::nanoseconds offset;
    std::chrono::nanoseconds bound;
    MonoTime at;  // when taken (t3)
  };
  // The kept sample with the smallest bound at `now`, with that bound.
  std::optional<Kept> best(MonoTime now) const;
  static bool disjoint(const Kept& a, const Kept& b);

  std::chrono::nanoseconds offset_;
  std::deque<Kept> samples_;
  std::optional<Kept> outlier_;  // the last sample, if it disagreed
};

}  // namespace shoal
