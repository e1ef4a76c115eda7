#pragma once
// AddressLimits: what one remote IP address may cost an acceptor (tracker,
// source or peer port; AcceptGuard applies it to sockets). Sans IO: the
// caller reports connections opening and closing and requests arriving,
// passing the time.
//
// - Connections: at most `max_per_address` open at once from one address and
//   `max_total` in all; admit() says whether a new one may stay.
// - Requests: a token bucket per address, `requests_per_second` refilling up
//   to `request_burst`; allow_request() takes one token.
//
// Memory stays bounded by the connections: an address with no connection is
// forgotten by forget_idle() once its budget is full again, which is when
// forgetting it changes nothing.
//
// Threading: not thread-safe; one owner (an io_context's thread).

#include <cstddef>
#include <string>
#include <unordered_map>

#include "overlay/limits/token_bucket.h"

namespace shoal {

struct AddressLimitsConfig {
  size_t max_per_address = 8;
  size_t max_total = 1024;
  double requests_per_second = 20;  // per address
  double request_burst = 40;
};

class AddressLimits {
 public:
  using Clock = TokenBucket::Clock;

  explicit AddressLimits(AddressLimitsConfig config = {}) : config_(config) {}
  AddressLimits(const AddressLimits&) = delete;
  AddressLimits& operator=(const AddressLimits&) = delete;

  // Counts a new connection from `address` and returns true if both caps
  // allow it; false (nothing counted) if the caller must close it.
  bool admit(const std::string& address);
  // Ends a connection that admit() accepted. Each admit() gets one release().
  void release(const std::string& address);
  // Takes one request from `address`'s budget; false if it is spent.
  bool allow_request(const std::string& address, Clock::time_point now);
  // Drops the state of addresses with no connection and a full budget.
  void forget_idle(Clock::time_point now);

  size_t connections() const { return total_; }
  size_t connections(const std::string& address) const;
  const AddressLimitsConfig& config() const { return config_; }

 private:
  struct PerAddress {
    size_t connections = 0;
    TokenBucket requests;
  };
  PerAddress& entry(const std::string& address);

  AddressLimitsConfig config_;
  std::unordered_map<std::string, PerAddress> addresses_;
  size_t total_ = 0;
};

}  // namespace shoal
