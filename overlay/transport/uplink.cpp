#include "overlay/transport/uplink.h"

namespace shoal {

Uplink::Uplink(Transport& transport, double bytes_per_second)
    : transport_(transport), timer_(transport.timer()), queue_(bytes_per_second) {}

void Uplink::set_rate(double bytes_per_second) {
  if (queue_.set_rate(bytes_per_second, transport_.mono_now())) schedule();
}

Uplink::Ticket Uplink::acquire(size_t bytes, std::function<void()> ready, bool urgent) {
  const Ticket ticket = queue_.add(bytes, std::move(ready), urgent);
  // Later waiters are reached from the front's grant.
  if (queue_.front() == ticket) schedule();
  return ticket;
}

void Uplink::cancel(Ticket ticket) {
  if (queue_.cancel(ticket)) schedule();
}

void Uplink::charge(size_t bytes) { queue_.charge(bytes, transport_.mono_now()); }

void Uplink::grant() {
  const MonoTime now = transport_.mono_now();
  while (auto ready = queue_.pop_ready(now)) ready();
  schedule();
}

void Uplink::schedule() {
  const auto at = queue_.next_ready(transport_.mono_now());
  if (!at) return timer_->cancel();
  timer_->arm(*at, [this] { grant(); });
}

}  // namespace shoal
