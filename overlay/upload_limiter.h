#pragma once
// UploadLimiter: a node's upload capacity, shared by all its connections.
// Chunk frames wait here for tokens (TokenBucket, burst 100 ms of rate, at
// least 16 KiB) and go out first come, first served across connections, so
// one machine can model real access links. A rate of 0 means unlimited; the
// rate may change while running (a limit relative to the stream rate follows
// the stream).
//
// Threading: everything on the io_context's thread. A waiter is only a
// callback: a connection that closes while waiting is called back and finds
// itself closed.

#include <boost/asio.hpp>
#include <deque>
#include <functional>

#include "overlay/token_bucket.h"

namespace shoal {

class UploadLimiter {
 public:
  UploadLimiter(boost::asio::io_context& io, double bytes_per_second);

  void set_rate(double bytes_per_second);
  double rate() const { return rate_; }
  // Calls `ready` once `bytes` may be sent, after those who asked earlier.
  void acquire(size_t bytes, std::function<void()> ready);

 private:
  void grant();

  boost::asio::steady_timer timer_;
  double rate_;
  TokenBucket bucket_;
  std::deque<std::pair<size_t, std::function<void()>>> waiting_;
  bool timer_armed_ = false;
};

}  // namespace shoal
