#pragma once
// UplinkQueue: the mechanism of an upload limit, sans IO. Frames wait for
// tokens of one TokenBucket and are let through first come, first served,
// urgent ones (pieces pushed down the trees) before the others, though
// never so often that the others starve;
// bytes sent without waiting are only charged. The bucket holds about 100 ms
// of rate (at least 16 KiB); a frame larger than that goes once the bucket is
// full and leaves debt that later frames wait for.
//
// Units: bytes and bytes per second; a rate of 0 means unlimited. The caller
// passes the time and arms its own timer for next_ready(): UploadLimiter on
// an Asio timer, sim::SimUplink on simulated time.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "overlay/limits/token_bucket.h"

namespace shoal {

class UplinkQueue {
 public:
  using Ticket = uint64_t;
  using Clock = TokenBucket::Clock;

  explicit UplinkQueue(double bytes_per_second);

  // Tokens earned so far are kept. False if the rate was that already.
  bool set_rate(double bytes_per_second, Clock::time_point now);
  double rate() const { return rate_; }

  // Queues `ready` for `bytes`; the ticket is never 0.
  Ticket add(size_t bytes, std::function<void()> ready, bool urgent = false);
  // The first waiter's ticket; 0 if nobody waits.
  Ticket front() const { return waiting_.empty() ? 0 : waiting_.front().ticket; }
  // Forgets a waiter; true if it was the first (the caller re-arms its timer).
  bool cancel(Ticket ticket);
  void charge(size_t bytes, Clock::time_point now);

  // The first waiter's callback if its tokens are there now (they are
  // taken), else an empty function. Popped before it is called: a callback
  // may add or cancel.
  std::function<void()> pop_ready(Clock::time_point now);
  // When the first waiter can go; nullopt if nobody waits.
  std::optional<Clock::time_point> next_ready(Clock::time_point now);

  uint64_t bytes_granted() const { return bytes_granted_; }
  uint64_t bytes_charged() const { return bytes_charged_; }
  size_t waiting() const { return waiting_.size(); }

 private:
  struct Waiter {
    Ticket ticket;
    size_t bytes;
    std::function<void()> ready;
    bool urgent = false;
    size_t overtaken = 0;  // bytes of urgent frames let through ahead of it
  };

  double rate_;
  TokenBucket bucket_;
  std::deque<Waiter> waiting_;
  Ticket next_ticket_ = 1;
  uint64_t bytes_granted_ = 0;
  uint64_t bytes_charged_ = 0;
};

}  // namespace shoal
