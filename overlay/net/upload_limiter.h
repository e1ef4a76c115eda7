#pragma once
// UploadLimiter: a node's upload capacity, shared (shared_ptr) by all its
// connections, so one machine can model real access links. CHUNK frames wait
// here for tokens and are let through first come, first served across
// connections; control frames are only charged (the UplinkQueue mechanism,
// on an Asio timer).
//
// Units: bytes and bytes per second; a rate of 0 means unlimited. The rate
// may change while running (a limit relative to the stream rate follows the
// stream as it is learnt).
//
// Threading: everything on the io_context's thread. `ready` callbacks run
// from the limiter's timer, never from inside acquire, set_rate, charge or
// cancel. Lifetime: the limiter owns its waiters' callbacks until it calls or
// cancels them, so a callback should not own its caller (capture a weak_ptr)
// and a caller that goes away cancels its ticket. Destroying the limiter
// drops the waiting callbacks uncalled.

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>

#include "overlay/limits/uplink_queue.h"

namespace shoal {

class UploadLimiter {
 public:
  using Ticket = UplinkQueue::Ticket;

  UploadLimiter(boost::asio::io_context& io, double bytes_per_second);
  UploadLimiter(const UploadLimiter&) = delete;
  UploadLimiter& operator=(const UploadLimiter&) = delete;

  // Takes effect at once for everyone waiting; tokens earned so far are kept.
  void set_rate(double bytes_per_second);
  double rate() const { return queue_.rate(); }

  // Calls `ready` once `bytes` may be sent, after everyone who asked earlier.
  // The ticket (never 0) cancels the wait.
  Ticket acquire(size_t bytes, std::function<void()> ready);
  // Forgets a waiter: its callback is destroyed uncalled. A ticket already
  // granted or cancelled is ignored.
  void cancel(Ticket ticket);
  // Counts bytes that were sent without waiting (control frames): they use
  // tokens, so the waiters go later.
  void charge(size_t bytes);

  // Bytes let through by acquire, and bytes charged, since construction.
  uint64_t bytes_granted() const { return queue_.bytes_granted(); }
  uint64_t bytes_charged() const { return queue_.bytes_charged(); }
  size_t waiting() const { return queue_.waiting(); }

 private:
  using Clock = UplinkQueue::Clock;

  void grant();
  // Arms the timer for when the first waiter can go (nothing if none waits).
  void schedule();

  boost::asio::steady_timer timer_;
  UplinkQueue queue_;
};

}  // namespace shoal
