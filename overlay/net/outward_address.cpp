#include "overlay/net/outward_address.h"

#include <boost/asio.hpp>

namespace shoal {

namespace asio = boost::asio;
using asio::ip::udp;

std::optional<std::string> outward_address() {
  asio::io_context io;
  // TEST-NET-1 and the IPv6 documentation prefix: routed like the internet,
  // never anyone's address.
  for (const char* far : {"192.0.2.1", "2001:db8::1"}) {
    boost::system::error_code ec;
    const udp::endpoint to(asio::ip::make_address(far), 9);
    udp::socket socket(io);
    socket.open(to.protocol(), ec);
    if (!ec) socket.connect(to, ec);
    if (ec) continue;
    const auto local = socket.local_endpoint(ec);
    if (!ec && !local.address().is_unspecified()) return local.address().to_string();
  }
  return std::nullopt;
}

}  // namespace shoal
