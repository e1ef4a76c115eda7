#include "overlay/net/listener.h"

#include "media/log.h"
#include "overlay/net/dial.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string address_key(const asio::ip::address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()).to_string();
  return ip.to_string();
}

Result<std::unique_ptr<Listener>> Listener::open(asio::io_context& io, const Endpoint& at) {
  std::unique_ptr<Listener> l(new Listener(io));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(at.host == "localhost" ? "127.0.0.1" : at.host, ec);
  if (ec) return Error{"cannot listen on " + at.to_string() + ": not an IP address"};
  tcp::endpoint ep(address, at.port);
  l->acceptor_.open(ep.protocol(), ec);
  const bool any = address.is_v6() && address.is_unspecified();
  if (ec == asio::error::address_family_not_supported && any) {
    ep = tcp::endpoint(tcp::v4(), at.port);
    ec.clear();
    l->acceptor_.open(ep.protocol(), ec);
  } else if (!ec && any) {
    l->acceptor_.set_option(asio::ip::v6_only(false), ec);
  }
  if (!ec) l->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  // Dials leave from this port too (dial.h), which takes SO_REUSEPORT. A
  // port some other socket holds is still an error: a probe without the
  // option finds it.
  if (!ec && ep.port() != 0) {
    tcp::acceptor probe(l->acceptor_.get_executor());
    probe.open(ep.protocol(), ec);
    if (!ec && any) probe.set_option(asio::ip::v6_only(false), ec);
    if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) probe.bind(ep, ec);
  }
  if (!ec) l->acceptor_.set_option(ReusePort(true), ec);
  if (!ec) l->acceptor_.bind(ep, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen on " + at.to_string() + ": " + ec.message()};
  const auto bound = l->acceptor_.local_endpoint();
  l->local_ = Endpoint{bound.address().to_string(), bound.port()};
  return l;
}

void Listener::start(AcceptFn on_accept) {
  on_accept_ = std::move(on_accept);
  accept();
}

void Listener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void Listener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      on_accept_(std::move(socket));
      return accept();
    }
    // Out of descriptors, most likely: serve the connections we have, try again soon.
    log_line("accept failed: " + ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([this](boost::system::error_code ec) {
      if (!ec) accept();
    });
  });
}

}  // namespace shoal
