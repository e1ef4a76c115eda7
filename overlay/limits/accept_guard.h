#pragma once
// AcceptGuard: AddressLimits as an acceptor (tracker, source, peer) applies
// them. Connections are keyed by their remote IP address (the transport
// gives it, an IPv4 peer on a dual-stack socket as its IPv4 address); the
// guard admits or refuses each, budgets each address's requests, and logs
// refusals as one summary line per interval however hard the flood. Sans
// IO: the caller passes the time and closes what is refused.
//
// Threading: not thread-safe; one owner.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "overlay/limits/address_limits.h"

namespace shoal {

class AcceptGuard {
 public:
  using Clock = AddressLimits::Clock;
  using LogFn = std::function<void(std::string_view)>;

  // `what` names the acceptor in log lines ("tracker", "source", "peer").
  AcceptGuard(std::string what, AddressLimitsConfig config, LogFn log);

  // Whether a new connection from `address` may stay (release() it when it
  // ends); a refusal is counted and logged, and the caller closes it.
  bool admit(const std::string& address, Clock::time_point now);
  void release(const std::string& address);
  // Takes one request from the address's budget; false if it is spent.
  bool allow_request(const std::string& address, Clock::time_point now);

  uint64_t refused() const { return refused_; }
  size_t connections() const { return limits_.connections(); }
  const AddressLimitsConfig& config() const { return limits_.config(); }

 private:
  void housekeep(Clock::time_point now);

  std::string what_;
  AddressLimits limits_;
  LogFn log_;
  uint64_t refused_ = 0;
  uint64_t refused_unlogged_ = 0;
  Clock::time_point last_housekeeping_{};
};

}  // namespace shoal
