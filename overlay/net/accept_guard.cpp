#include "overlay/net/accept_guard.h"

#include "media/log.h"

namespace shoal {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto kHousekeepingInterval = 10s;
}

std::string address_key(const asio::ip::address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()).to_string();
  return ip.to_string();
}

AcceptGuard::AcceptGuard(std::string what, AddressLimitsConfig config)
    : what_(std::move(what)), limits_(config) {}

std::optional<std::string> AcceptGuard::admit(asio::ip::tcp::socket& socket) {
  const auto now = AddressLimits::Clock::now();
  housekeep(now);
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return std::nullopt;  // already gone
  std::string address = address_key(remote.address());
  if (limits_.admit(address)) return address;
  if (refused_ == 0) {
    log_line(what_ + ": refusing connections from " + address + " over the limits (" +
             std::to_string(config().max_per_address) + " per address, " +
             std::to_string(config().max_total) + " in all)");
  } else {
    ++refused_unlogged_;
  }
  ++refused_;
  socket.close(ec);
  return std::nullopt;
}

void AcceptGuard::release(const std::string& address) { limits_.release(address); }

bool AcceptGuard::allow_request(const std::string& address) {
  return limits_.allow_request(address, AddressLimits::Clock::now());
}

bool AcceptGuard::screen(const Message& m, const std::string& address,
                         std::shared_ptr<Connection> conn) {
  if (!std::holds_alternative<RequestMsg>(m) || allow_request(address)) return true;
  const std::string why = "too many requests from " + address;
  log_line(what_ + ": dropping " + conn->remote().to_string() + ": " + why);
  conn->send(ErrorMsg{why});
  conn->close(why);
  return false;
}

void AcceptGuard::housekeep(AddressLimits::Clock::time_point now) {
  if (now - last_housekeeping_ < kHousekeepingInterval) return;
  last_housekeeping_ = now;
  limits_.forget_idle(now);
  if (refused_unlogged_ > 0) {
    log_line(what_ + ": refused " + std::to_string(refused_unlogged_) +
             " more connections over the limits");
    refused_unlogged_ = 0;
  }
}

}  // namespace shoal
