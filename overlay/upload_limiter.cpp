#include "overlay/upload_limiter.h"

#include <algorithm>

namespace shoal {

namespace {

using Clock = TokenBucket::Clock;

// About 100 ms of rate, so a frame goes out soon after its tokens are there,
// but at least a few whole chunk frames' worth at low rates.
double burst_for(double rate) { return std::max(16.0 * 1024, rate / 10); }

}  // namespace

UploadLimiter::UploadLimiter(boost::asio::io_context& io, double bytes_per_second)
    : timer_(io), rate_(bytes_per_second), bucket_(bytes_per_second, burst_for(bytes_per_second)) {}

void UploadLimiter::set_rate(double bytes_per_second) {
  if (bytes_per_second == rate_) return;
  rate_ = bytes_per_second;
  bucket_.set_rate(bytes_per_second, burst_for(bytes_per_second), Clock::now());
  schedule();
}

UploadLimiter::Ticket UploadLimiter::acquire(size_t bytes, std::function<void()> ready) {
  const Ticket ticket = next_ticket_++;
  waiting_.push_back({ticket, bytes, std::move(ready)});
  // Later waiters are reached from the front's grant.
  if (waiting_.size() == 1) schedule();
  return ticket;
}

void UploadLimiter::cancel(Ticket ticket) {
  const auto it = std::find_if(waiting_.begin(), waiting_.end(),
                               [ticket](const Waiter& w) { return w.ticket == ticket; });
  if (it == waiting_.end()) return;
  const bool was_front = it == waiting_.begin();
  waiting_.erase(it);
  if (was_front) schedule();
}

void UploadLimiter::charge(size_t bytes) {
  bucket_.take(static_cast<double>(bytes), Clock::now());
  bytes_charged_ += bytes;
}

void UploadLimiter::grant() {
  const auto now = Clock::now();
  while (!waiting_.empty()) {
    const double bytes = static_cast<double>(waiting_.front().bytes);
    if (bucket_.ready_at(bytes, now) > now) break;
    bucket_.take(bytes, now);
    bytes_granted_ += waiting_.front().bytes;
    // Popped before the call: `ready` may acquire or cancel.
    auto ready = std::move(waiting_.front().ready);
    waiting_.pop_front();
    ready();
  }
  schedule();
}

void UploadLimiter::schedule() {
  if (waiting_.empty()) {
    timer_.cancel();
    return;
  }
  const auto now = Clock::now();
  timer_.expires_at(bucket_.ready_at(static_cast<double>(waiting_.front().bytes), now));
  // On destruction the wait ends with operation_aborted, before `this` is used.
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) grant();
  });
}

}  // namespace shoal
