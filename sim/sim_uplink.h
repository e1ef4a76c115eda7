#pragma once
// SimUplink: overlay/upload_limiter.h on simulated time. A node's upload
// capacity, shared by all its connections: CHUNK frames wait here for tokens
// and are let through first come, first served across connections; control
// frames are only charged. The bucket is the real TokenBucket, holding about
// 100 ms of rate (at least 16 KiB); a frame larger than that goes once the
// bucket is full and leaves debt that later frames wait for.
//
// Units: bytes and bytes per second; a rate of 0 means unlimited. The rate
// may change while running.
//
// Lifetime and order: `ready` callbacks run from an event of the queue, never
// from inside acquire, set_rate, charge or cancel. The uplink must outlive
// the events it schedules (the Simulation owns both).

#include <cstdint>
#include <deque>
#include <functional>

#include "overlay/token_bucket.h"
#include "sim/event_queue.h"

namespace shoal::sim {

class SimUplink {
 public:
  using Ticket = uint64_t;

  SimUplink(EventQueue& events, double bytes_per_second);
  SimUplink(const SimUplink&) = delete;
  SimUplink& operator=(const SimUplink&) = delete;

  // Takes effect at once for everyone waiting; tokens earned so far are kept.
  void set_rate(double bytes_per_second);
  double rate() const { return rate_; }

  // Calls `ready` once `bytes` may be sent, after everyone who asked earlier.
  // The ticket (never 0) cancels the wait.
  Ticket acquire(size_t bytes, std::function<void()> ready);
  // Forgets a waiter; a ticket already granted or cancelled is ignored.
  void cancel(Ticket ticket);
  // Counts bytes sent without waiting (control frames): waiters go later.
  void charge(size_t bytes);

  uint64_t bytes_granted() const { return bytes_granted_; }
  size_t waiting() const { return waiting_.size(); }

 private:
  struct Waiter {
    Ticket ticket;
    size_t bytes;
    std::function<void()> ready;
  };

  void grant();
  // Arms the one timer for when the first waiter can go (nothing if none waits).
  void schedule();
  TokenBucket::Clock::time_point clock() const;

  EventQueue& events_;
  double rate_;
  TokenBucket bucket_;
  std::deque<Waiter> waiting_;
  Ticket next_ticket_ = 1;
  uint64_t timer_ = 0;  // the armed timer's generation; older ones do nothing
  uint64_t bytes_granted_ = 0;
};

}  // namespace shoal::sim
