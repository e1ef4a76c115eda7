#include "peer/channel_clock.h"

#include <algorithm>

namespace shoal {

using std::chrono::nanoseconds;

WallTime ChannelClock::read(MonoTime local) const {
  return WallTime(std::chrono::floor<std::chrono::milliseconds>(local.time_since_epoch() + offset_));
}

MonoTime ChannelClock::local(WallTime t) const {
  return MonoTime(std::chrono::duration_cast<MonoTime::duration>(t.time_since_epoch() - offset_));
}

void ChannelClock::add(const Sample& s) {
  const nanoseconds t0 = s.sent.time_since_epoch();
  const nanoseconds t1 = s.received.time_since_epoch();
  const nanoseconds t2 = s.answered.time_since_epoch();
  const nanoseconds t3 = s.back.time_since_epoch();
  const nanoseconds round_trip = std::max(nanoseconds(0), (t3 - t0) - (t2 - t1));
  // The answerer's readings are whole milliseconds: up to one more.
  const Kept k{.offset = ((t1 - t0) + (t2 - t3)) / 2,
               .bound = round_trip / 2 + s.error + std::chrono::milliseconds(1),
               .at = s.back};
  if (const auto now = best(s.back); now && disjoint(*now, k)) {
    if (!outlier_) {
      outlier_ = k;
      return;
    }
    samples_ = {*outlier_};
  }
  outlier_.reset();
  samples_.push_back(k);
  if (samples_.size() > kKept) samples_.pop_front();
  offset_ = best(s.back)->offset;
}

std::optional<std::chrono::milliseconds> ChannelClock::error(MonoTime now) const {
  const auto b = best(now);
  if (!b) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(b->bound);
}

std::optional<ChannelClock::Kept> ChannelClock::best(MonoTime now) const {
  std::optional<Kept> found;
  for (const Kept& k : samples_) {
    const auto age = std::max(nanoseconds(0), now - k.at);
    const Kept aged{k.offset, k.bound + nanoseconds(static_cast<int64_t>(kDrift * age.count())),
                    k.at};
    if (!found || aged.bound < found->bound) found = aged;
  }
  return found;
}

bool ChannelClock::disjoint(const Kept& a, const Kept& b) {
  return std::chrono::abs(a.offset - b.offset) > a.bound + b.bound;
}

}  // namespace shoal
