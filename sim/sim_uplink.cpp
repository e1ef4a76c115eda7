#include "sim/sim_uplink.h"

#include <algorithm>

namespace shoal::sim {

namespace {

using Clock = TokenBucket::Clock;

// As overlay/upload_limiter.cpp: about 100 ms of rate, at least 16 KiB.
double burst_for(double rate) { return std::max(16.0 * 1024, rate / 10); }

// TokenBucket treats a zero time_point as "never refilled": keep clear of it.
constexpr auto kClockOffset = std::chrono::hours(1);

}  // namespace

SimUplink::SimUplink(EventQueue& events, double bytes_per_second)
    : events_(events),
      rate_(bytes_per_second),
      bucket_(bytes_per_second, burst_for(bytes_per_second)) {}

Clock::time_point SimUplink::clock() const {
  return Clock::time_point(kClockOffset + events_.now());
}

void SimUplink::set_rate(double bytes_per_second) {
  if (bytes_per_second == rate_) return;
  rate_ = bytes_per_second;
  bucket_.set_rate(bytes_per_second, burst_for(bytes_per_second), clock());
  schedule();
}

SimUplink::Ticket SimUplink::acquire(size_t bytes, std::function<void()> ready) {
  const Ticket ticket = next_ticket_++;
  waiting_.push_back({ticket, bytes, std::move(ready)});
  if (waiting_.size() == 1) schedule();
  return ticket;
}

void SimUplink::cancel(Ticket ticket) {
  const auto it =
      std::ranges::find_if(waiting_, [ticket](const Waiter& w) { return w.ticket == ticket; });
  if (it == waiting_.end()) return;
  const bool was_front = it == waiting_.begin();
  waiting_.erase(it);
  if (was_front) schedule();
}

void SimUplink::charge(size_t bytes) { bucket_.take(static_cast<double>(bytes), clock()); }

void SimUplink::grant() {
  const auto now = clock();
  while (!waiting_.empty()) {
    const double bytes = static_cast<double>(waiting_.front().bytes);
    if (bucket_.ready_at(bytes, now) > now) break;
    bucket_.take(bytes, now);
    bytes_granted_ += waiting_.front().bytes;
    auto ready = std::move(waiting_.front().ready);
    waiting_.pop_front();
    ready();
  }
  schedule();
}

void SimUplink::schedule() {
  const uint64_t generation = ++timer_;  // cancels the timer armed before
  if (waiting_.empty()) return;
  const auto now = clock();
  const auto wait = bucket_.ready_at(static_cast<double>(waiting_.front().bytes), now) - now;
  // Rounded up: at the timer the tokens are there, so grant() makes progress.
  events_.at(events_.now() + std::chrono::ceil<SimTime>(wait), [this, generation] {
    if (generation == timer_) grant();
  });
}

}  // namespace shoal::sim
