#include "overlay/limits/address_limits.h"

#include <iterator>

namespace shoal {

AddressLimits::PerAddress& AddressLimits::entry(const std::string& address) {
  return addresses_
      .try_emplace(address,
                   PerAddress{0, TokenBucket(config_.requests_per_second, config_.request_burst)})
      .first->second;
}

bool AddressLimits::admit(const std::string& address) {
  if (total_ >= config_.max_total) return false;
  PerAddress& a = entry(address);
  if (a.connections >= config_.max_per_address) return false;
  ++a.connections;
  ++total_;
  return true;
}

void AddressLimits::release(const std::string& address) {
  const auto it = addresses_.find(address);
  if (it == addresses_.end() || it->second.connections == 0) return;
  --it->second.connections;
  --total_;
}

bool AddressLimits::allow_request(const std::string& address, Clock::time_point now) {
  return entry(address).requests.try_take(1, now);
}

void AddressLimits::forget_idle(Clock::time_point now) {
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    PerAddress& a = it->second;
    const bool full = a.requests.ready_at(config_.request_burst, now) <= now;
    it = a.connections == 0 && full ? addresses_.erase(it) : std::next(it);
  }
}

size_t AddressLimits::connections(const std::string& address) const {
  const auto it = addresses_.find(address);
  return it == addresses_.end() ? 0 : it->second.connections;
}

}  // namespace shoal
