#pragma once
// Interrupt: the ingest thread's way out of a wait. FFmpeg polls callback()
// about every 100 ms while it blocks (waiting for a publisher to connect,
// reading from a silent one); it gives up once stop() was called or once the
// idle limit passed since the last heard(). sleep_until() paces file input
// and wakes at once on stop().
//
// Threading: stop() and stopped() from any thread; the rest on the thread
// that runs FFmpeg calls with callback().

extern "C" {
#include <libavformat/avio.h>
}

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace shoal {

class Interrupt {
 public:
  using Clock = std::chrono::steady_clock;

  void stop();
  bool stopped() const { return stopped_; }

  // For FFmpeg's AVFormatContext::interrupt_callback; `this` must outlive
  // the context.
  AVIOInterruptCB callback() { return {&Interrupt::check, this}; }

  // From now on a blocking call gives up after `limit` without heard();
  // nullopt lets it wait until stop().
  void limit_idle(std::optional<std::chrono::milliseconds> limit);
  void heard() { last_heard_ = Clock::now(); }
  // Whether the idle limit (not stop()) ended the last blocking call.
  bool timed_out() const { return timed_out_; }

  // False if stopped before `when`.
  bool sleep_until(Clock::time_point when);

 private:
  static int check(void* self);

  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::chrono::milliseconds> idle_limit_;
  Clock::time_point last_heard_ = Clock::now();
  bool timed_out_ = false;
};

}  // namespace shoal
