#include "overlay/limits/uplink_queue.h"

#include <algorithm>

namespace shoal {

namespace {

// About 100 ms of rate, so a frame goes out soon after its tokens are there,
// but at least a few whole chunk frames' worth at low rates.
double burst_for(double rate) { return std::max(16.0 * 1024, rate / 10); }

}  // namespace

UplinkQueue::UplinkQueue(double bytes_per_second)
    : rate_(bytes_per_second), bucket_(bytes_per_second, burst_for(bytes_per_second)) {}

bool UplinkQueue::set_rate(double bytes_per_second, Clock::time_point now) {
  if (bytes_per_second == rate_) return false;
  rate_ = bytes_per_second;
  bucket_.set_rate(bytes_per_second, burst_for(bytes_per_second), now);
  return true;
}

UplinkQueue::Ticket UplinkQueue::add(size_t bytes, std::function<void()> ready, bool urgent) {
  const Ticket ticket = next_ticket_++;
  auto at = waiting_.end();
  if (urgent) at = std::ranges::find_if(waiting_, [](const Waiter& w) { return !w.urgent; });
  waiting_.insert(at, {ticket, bytes, std::move(ready), urgent});
  return ticket;
}

bool UplinkQueue::cancel(Ticket ticket) {
  const auto it =
      std::ranges::find_if(waiting_, [ticket](const Waiter& w) { return w.ticket == ticket; });
  if (it == waiting_.end()) return false;
  const bool was_front = it == waiting_.begin();
  waiting_.erase(it);
  return was_front;
}

void UplinkQueue::charge(size_t bytes, Clock::time_point now) {
  bucket_.take(static_cast<double>(bytes), now);
  bytes_charged_ += bytes;
}

std::function<void()> UplinkQueue::pop_ready(Clock::time_point now) {
  if (waiting_.empty()) return {};
  const double bytes = static_cast<double>(waiting_.front().bytes);
  if (bucket_.ready_at(bytes, now) > now) return {};
  bucket_.take(bytes, now);
  bytes_granted_ += waiting_.front().bytes;
  auto ready = std::move(waiting_.front().ready);
  waiting_.pop_front();
  return ready;
}

std::optional<UplinkQueue::Clock::time_point> UplinkQueue::next_ready(Clock::time_point now) {
  if (waiting_.empty()) return std::nullopt;
  return bucket_.ready_at(static_cast<double>(waiting_.front().bytes), now);
}

}  // namespace shoal
