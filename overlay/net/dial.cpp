#include "overlay/net/dial.h"

#include <boost/asio/connect.hpp>

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

std::optional<asio::ip::address> dial_from(const Endpoint& listen) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(listen.host, ec);
  if (ec || ip.is_unspecified()) return std::nullopt;
  return ip;
}

void async_dial(tcp::socket& socket, const tcp::resolver::results_type& to,
                std::optional<asio::ip::address> from, uint16_t from_port,
                std::function<void(boost::system::error_code)> done) {
  if (from || from_port != 0) {
    for (const auto& entry : to) {
      const tcp::endpoint remote = entry.endpoint();
      const auto& ip = remote.address();
      if (from && (ip.is_v4() != from->is_v4() || ip.is_loopback() != from->is_loopback()))
        continue;
      const asio::ip::address local =
          from ? *from
               : (ip.is_v4() ? asio::ip::address(asio::ip::address_v4::any())
                             : asio::ip::address(asio::ip::address_v6::any()));
      boost::system::error_code ec;
      socket.open(remote.protocol(), ec);
      if (!ec && from_port != 0) socket.set_option(tcp::socket::reuse_address(true), ec);
      if (!ec && from_port != 0) socket.set_option(ReusePort(true), ec);
      if (!ec) socket.bind(tcp::endpoint(local, from_port), ec);
      if (ec) {
        socket.close();
        return done(ec);
      }
      return socket.async_connect(remote, std::move(done));
    }
  }
  asio::async_connect(socket, to,
                      [done = std::move(done)](boost::system::error_code ec, const tcp::endpoint&) {
                        done(ec);
                      });
}

}  // namespace shoal
