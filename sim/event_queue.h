#pragma once
// EventQueue: the simulated clock and what is due on it. Events run in time
// order; events due at the same time run in the order they were scheduled,
// so a run is a pure function of its inputs (no wall clock, no threads).
//
// Time is SimTime, microseconds since the simulation began: fine enough for
// an uplink's token bucket, while the engines see whole milliseconds of
// WallTime (see to_wall).
//
// Threading: single-threaded. An event may schedule others, at its own time
// or later; scheduling in the past runs the event at the current time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "media/chunk.h"

namespace shoal::sim {

using SimTime = std::chrono::microseconds;

class EventQueue {
 public:
  // `epoch` is the WallTime that SimTime 0 stands for.
  explicit EventQueue(WallTime epoch) : epoch_(epoch) {}
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  SimTime now() const { return now_; }
  WallTime wall_now() const { return to_wall(now_); }
  // Whole milliseconds, rounded down, as wall_now() in a real process.
  WallTime to_wall(SimTime t) const {
    return epoch_ + std::chrono::floor<std::chrono::milliseconds>(t);
  }

  void at(SimTime when, std::function<void()> fn) {
    queue_.push(Event{std::max(when, now_), next_order_++, std::move(fn)});
  }
  void after(SimTime delay, std::function<void()> fn) { at(now_ + delay, std::move(fn)); }

  // Runs every event due up to and including `end`; the clock then reads `end`.
  void run_until(SimTime end) {
    while (!queue_.empty() && queue_.top().when <= end) {
      // Moved out before the call: the event may schedule others.
      Event e = std::move(const_cast<Event&>(queue_.top()));
      queue_.pop();
      now_ = e.when;
      ++events_run_;
      e.fn();
    }
    now_ = std::max(now_, end);
  }

  uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    SimTime when;
    uint64_t order;  // ties: first scheduled, first run
    std::function<void()> fn;
    bool operator>(const Event& o) const {
      return when != o.when ? when > o.when : order > o.order;
    }
  };

  WallTime epoch_;
  SimTime now_{0};
  uint64_t next_order_ = 0;
  uint64_t events_run_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
};

}  // namespace shoal::sim
