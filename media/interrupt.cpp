#include "media/interrupt.h"

namespace shoal {

void Interrupt::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  wake_.notify_all();
}

void Interrupt::limit_idle(std::optional<std::chrono::milliseconds> limit) {
  idle_limit_ = limit;
  timed_out_ = false;
  heard();
}

bool Interrupt::sleep_until(Clock::time_point when) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_until(lock, when, [&] { return stopped_.load(); });
}

int Interrupt::check(void* self) {
  auto& i = *static_cast<Interrupt*>(self);
  if (i.stopped_) return 1;
  if (i.idle_limit_ && Clock::now() - i.last_heard_ > *i.idle_limit_) {
    i.timed_out_ = true;
    return 1;
  }
  return 0;
}

}  // namespace shoal
