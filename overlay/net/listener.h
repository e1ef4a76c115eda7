#pragma once
// Listener: a TCP acceptor bound to a HOST:PORT (port 0: any free port) that
// hands every accepted socket to a callback until closed. Source, peers and
// tracker all accept through one of these. "::" is every interface, IPv4 and
// IPv6 (one dual-stack socket; 0.0.0.0 on a host without IPv6).
//
// Threading: all calls and callbacks on the io_context's thread.

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <string>

#include "media/result.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

// The key a remote address is known by to per-address limits: an IPv4 peer
// reaching a dual-stack socket counts as its IPv4 address.
std::string address_key(const boost::asio::ip::address& ip);

class Listener {
 public:
  using AcceptFn = std::function<void(boost::asio::ip::tcp::socket)>;

  // Binds and listens; a clear error if the address is not an IP address or
  // is taken.
  static Result<std::unique_ptr<Listener>> open(boost::asio::io_context& io, const Endpoint& at);

  void start(AcceptFn on_accept);
  void close();
  // The bound address, port 0 resolved.
  const Endpoint& local() const { return local_; }

 private:
  explicit Listener(boost::asio::io_context& io) : acceptor_(io), retry_(io) {}
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  Endpoint local_;
  AcceptFn on_accept_;
};

}  // namespace shoal
