#pragma once
// AcceptGuard: AddressLimits as an acceptor (tracker, source, peer) applies
// them to real sockets. It keys each socket by its remote IP (an IPv4 peer
// reaching a dual-stack socket counts as its IPv4 address), closes the ones
// over the connection caps, and logs refusals as one summary line per
// interval however hard the flood.
//
// Threading: not thread-safe; the io_context's thread only.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "overlay/limits/address_limits.h"
#include "overlay/net/connection.h"

namespace shoal {

class AcceptGuard {
 public:
  // `what` names the acceptor in log lines ("tracker", "source", "peer").
  AcceptGuard(std::string what, AddressLimitsConfig config);

  // The address key of an accepted socket if it may stay (release() it when
  // the connection ends); otherwise the socket is closed and nullopt returned.
  std::optional<std::string> admit(boost::asio::ip::tcp::socket& socket);
  void release(const std::string& address);
  // Takes one request from the address's budget; false if it is spent.
  bool allow_request(const std::string& address);
  // For a source or peer: lets `m` through unless it is a REQUEST over the
  // address's budget; then `conn` gets ERROR and is closed, and false returns.
  // Held by value: closing may end the caller's own reference.
  bool screen(const Message& m, const std::string& address, std::shared_ptr<Connection> conn);

  uint64_t refused() const { return refused_; }
  size_t connections() const { return limits_.connections(); }
  const AddressLimitsConfig& config() const { return limits_.config(); }

 private:
  void housekeep(AddressLimits::Clock::time_point now);

  std::string what_;
  AddressLimits limits_;
  uint64_t refused_ = 0;
  uint64_t refused_unlogged_ = 0;
  AddressLimits::Clock::time_point last_housekeeping_{};
};

// The key AcceptGuard uses for a remote address.
std::string address_key(const boost::asio::ip::address& ip);

}  // namespace shoal
