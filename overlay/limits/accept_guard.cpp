#include "overlay/limits/accept_guard.h"

namespace shoal {

using namespace std::chrono_literals;

namespace {
constexpr auto kHousekeepingInterval = 10s;
}

AcceptGuard::AcceptGuard(std::string what, AddressLimitsConfig config, LogFn log)
    : what_(std::move(what)), limits_(config), log_(std::move(log)) {}

bool AcceptGuard::admit(const std::string& address, Clock::time_point now) {
  housekeep(now);
  if (limits_.admit(address)) return true;
  if (refused_ == 0) {
    log_(what_ + ": refusing connections from " + address + " over the limits (" +
         std::to_string(config().max_per_address) + " per address, " +
         std::to_string(config().max_total) + " in all)");
  } else {
    ++refused_unlogged_;
  }
  ++refused_;
  return false;
}

void AcceptGuard::release(const std::string& address) { limits_.release(address); }

bool AcceptGuard::allow_request(const std::string& address, Clock::time_point now) {
  return limits_.allow_request(address, now);
}

void AcceptGuard::housekeep(Clock::time_point now) {
  if (now - last_housekeeping_ < kHousekeepingInterval) return;
  last_housekeeping_ = now;
  limits_.forget_idle(now);
  if (refused_unlogged_ > 0) {
    log_(what_ + ": refused " + std::to_string(refused_unlogged_) +
         " more connections over the limits");
    refused_unlogged_ = 0;
  }
}

}  // namespace shoal
