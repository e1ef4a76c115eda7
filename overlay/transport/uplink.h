#pragma once
// Uplink: a node's upload capacity, shared by all its connections, so one
// machine (or one simulation) can model real access links. Data frames wait
// here for tokens and are let through first come, first served across
// connections, pushed pieces before requested data; control frames are only
// charged. The mechanism is the
// UplinkQueue; this arms the transport's timer for it.
//
// Units: bytes and bytes per second; a rate of 0 means unlimited (a waiter
// still goes from the timer, never from inside acquire). The rate may change
// while running: a limit relative to the stream follows the stream.
//
// Threading: the transport's thread. `ready` callbacks run from the timer,
// never from inside acquire, set_rate, charge or cancel. Lifetime: it owns
// its waiters' callbacks until it calls or cancels them; destroying it drops
// them uncalled. The transport outlives it.

#include <cstdint>
#include <functional>
#include <memory>

#include "overlay/limits/uplink_queue.h"
#include "overlay/transport/transport.h"

namespace shoal {

class Uplink {
 public:
  using Ticket = UplinkQueue::Ticket;

  Uplink(Transport& transport, double bytes_per_second);
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  // Takes effect at once for everyone waiting; tokens earned so far are kept.
  void set_rate(double bytes_per_second);
  double rate() const { return queue_.rate(); }

  // Calls `ready` once `bytes` may be sent, after everyone who asked earlier
  // (an urgent waiter: after every urgent one, before the others). The
  // ticket (never 0) cancels the wait.
  Ticket acquire(size_t bytes, std::function<void()> ready, bool urgent = false);
  // Forgets a waiter; a ticket already granted or cancelled is ignored.
  void cancel(Ticket ticket);
  // Counts bytes sent without waiting (control frames): waiters go later.
  void charge(size_t bytes);

  // Bytes let through by acquire, and bytes charged, since construction.
  uint64_t bytes_granted() const { return queue_.bytes_granted(); }
  uint64_t bytes_charged() const { return queue_.bytes_charged(); }
  size_t waiting() const { return queue_.waiting(); }

 private:
  void grant();
  // Arms the timer for when the first waiter can go (disarms it if none waits).
  void schedule();

  Transport& transport_;
  std::unique_ptr<Timer> timer_;
  UplinkQueue queue_;
};

}  // namespace shoal
