#include "sim/sim_uplink.h"

namespace shoal::sim {

namespace {

using Clock = UplinkQueue::Clock;

// TokenBucket treats a zero time_point as "never refilled": keep clear of it.
constexpr auto kClockOffset = std::chrono::hours(1);

}  // namespace

SimUplink::SimUplink(EventQueue& events, double bytes_per_second)
    : events_(events), queue_(bytes_per_second) {}

Clock::time_point SimUplink::clock() const {
  return Clock::time_point(kClockOffset + events_.now());
}

void SimUplink::set_rate(double bytes_per_second) {
  if (queue_.set_rate(bytes_per_second, clock())) schedule();
}

SimUplink::Ticket SimUplink::acquire(size_t bytes, std::function<void()> ready) {
  const Ticket ticket = queue_.add(bytes, std::move(ready));
  if (queue_.waiting() == 1) schedule();
  return ticket;
}

void SimUplink::cancel(Ticket ticket) {
  if (queue_.cancel(ticket)) schedule();
}

void SimUplink::charge(size_t bytes) { queue_.charge(bytes, clock()); }

void SimUplink::grant() {
  const auto now = clock();
  while (auto ready = queue_.pop_ready(now)) ready();
  schedule();
}

void SimUplink::schedule() {
  const uint64_t generation = ++timer_;  // cancels the timer armed before
  const auto now = clock();
  const auto at = queue_.next_ready(now);
  if (!at) return;
  // Rounded up: at the timer the tokens are there, so grant() makes progress.
  events_.at(events_.now() + std::chrono::ceil<SimTime>(*at - now), [this, generation] {
    if (generation == timer_) grant();
  });
}

}  // namespace shoal::sim
