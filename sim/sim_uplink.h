#pragma once
// SimUplink: overlay/upload_limiter.h on simulated time. A node's upload
// capacity, shared by all its connections: CHUNK frames wait here for tokens
// and are let through first come, first served across connections; control
// frames are only charged. The mechanism is the real UplinkQueue; only the
// timer is the EventQueue's.
//
// Lifetime and order: `ready` callbacks run from an event of the queue, never
// from inside acquire, set_rate, charge or cancel. The uplink must outlive
// the events it schedules (the Simulation owns both).

#include <cstdint>
#include <functional>

#include "overlay/limits/uplink_queue.h"
#include "sim/event_queue.h"

namespace shoal::sim {

class SimUplink {
 public:
  using Ticket = UplinkQueue::Ticket;

  SimUplink(EventQueue& events, double bytes_per_second);
  SimUplink(const SimUplink&) = delete;
  SimUplink& operator=(const SimUplink&) = delete;

  // Takes effect at once for everyone waiting; tokens earned so far are kept.
  void set_rate(double bytes_per_second);
  double rate() const { return queue_.rate(); }

  // Calls `ready` once `bytes` may be sent, after everyone who asked earlier.
  // The ticket (never 0) cancels the wait.
  Ticket acquire(size_t bytes, std::function<void()> ready);
  // Forgets a waiter; a ticket already granted or cancelled is ignored.
  void cancel(Ticket ticket);
  // Counts bytes sent without waiting (control frames): waiters go later.
  void charge(size_t bytes);

  uint64_t bytes_granted() const { return queue_.bytes_granted(); }
  size_t waiting() const { return queue_.waiting(); }

 private:
  void grant();
  // Arms the one timer for when the first waiter can go (nothing if none waits).
  void schedule();
  UplinkQueue::Clock::time_point clock() const;

  EventQueue& events_;
  UplinkQueue queue_;
  uint64_t timer_ = 0;  // the armed timer's generation; older ones do nothing
};

}  // namespace shoal::sim
