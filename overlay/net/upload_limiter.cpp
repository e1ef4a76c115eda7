#include "overlay/net/upload_limiter.h"

namespace shoal {

UploadLimiter::UploadLimiter(boost::asio::io_context& io, double bytes_per_second)
    : timer_(io), queue_(bytes_per_second) {}

void UploadLimiter::set_rate(double bytes_per_second) {
  if (queue_.set_rate(bytes_per_second, Clock::now())) schedule();
}

UploadLimiter::Ticket UploadLimiter::acquire(size_t bytes, std::function<void()> ready) {
  const Ticket ticket = queue_.add(bytes, std::move(ready));
  // Later waiters are reached from the front's grant.
  if (queue_.waiting() == 1) schedule();
  return ticket;
}

void UploadLimiter::cancel(Ticket ticket) {
  if (queue_.cancel(ticket)) schedule();
}

void UploadLimiter::charge(size_t bytes) { queue_.charge(bytes, Clock::now()); }

void UploadLimiter::grant() {
  const auto now = Clock::now();
  while (auto ready = queue_.pop_ready(now)) ready();
  schedule();
}

void UploadLimiter::schedule() {
  const auto at = queue_.next_ready(Clock::now());
  if (!at) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*at);
  // On destruction the wait ends with operation_aborted, before `this` is used.
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) grant();
  });
}

}  // namespace shoal
