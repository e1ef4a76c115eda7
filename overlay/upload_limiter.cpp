#include "overlay/upload_limiter.h"

#include <algorithm>

namespace shoal {

namespace {
TokenBucket bucket_for(double rate) { return TokenBucket(rate, std::max(16.0 * 1024, rate / 10)); }
}  // namespace

UploadLimiter::UploadLimiter(boost::asio::io_context& io, double bytes_per_second)
    : timer_(io), rate_(bytes_per_second), bucket_(bucket_for(bytes_per_second)) {}

void UploadLimiter::set_rate(double bytes_per_second) {
  if (bytes_per_second == rate_) return;
  rate_ = bytes_per_second;
  bucket_ = bucket_for(bytes_per_second);
  timer_.cancel();
  timer_armed_ = false;
  grant();
}

void UploadLimiter::acquire(size_t bytes, std::function<void()> ready) {
  waiting_.emplace_back(bytes, std::move(ready));
  if (!timer_armed_) grant();
}

void UploadLimiter::grant() {
  while (!waiting_.empty()) {
    const auto now = TokenBucket::Clock::now();
    const auto at = bucket_.ready_at(static_cast<double>(waiting_.front().first), now);
    if (at > now) {
      timer_armed_ = true;
      timer_.expires_at(at);
      timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        timer_armed_ = false;
        grant();
      });
      return;
    }
    auto [bytes, ready] = std::move(waiting_.front());
    waiting_.pop_front();
    bucket_.take(static_cast<double>(bytes), now);
    ready();
  }
}

}  // namespace shoal
