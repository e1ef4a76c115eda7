#include "overlay/dht/dht_server.h"

#include "media/log.h"
#include "overlay/dht/dht_codec.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::udp;

std::string address_of(const udp::endpoint& e) {
  return Endpoint{e.address().to_string(), e.port()}.to_string();
}

Result<udp::endpoint> udp_endpoint(const Endpoint& at) {
  boost::system::error_code ec;
  const auto address = at.host == "localhost" ? asio::ip::address_v4::loopback()
                                              : asio::ip::make_address(at.host, ec);
  if (ec) return Error{"'" + at.host + "' is not an IP address (e.g. 127.0.0.1)"};
  return udp::endpoint(address, at.port);
}

Result<std::unique_ptr<DhtServer>> DhtServer::start(asio::io_context& io, DhtServerConfig c) {
  auto ring = Ring::make(c.id_bits);
  if (!ring) return Error{ring.error()};
  auto at = udp_endpoint(c.listen);
  if (!at) return Error{at.error()};
  udp::socket socket(io);
  boost::system::error_code ec;
  socket.open(at->protocol(), ec);
  if (!ec) socket.bind(*at, ec);
  if (ec) return Error{"cannot listen on " + c.listen.to_string() + ": " + ec.message()};
  const std::string address = address_of(socket.local_endpoint());
  DhtId id = ring->hash(address);
  if (c.node_id) {
    auto parsed = ring->parse(*c.node_id);
    if (!parsed) return Error{"--node-id: " + parsed.error()};
    id = *parsed;
  }
  std::optional<std::string> bootstrap;
  if (c.bootstrap) {
    auto to = udp_endpoint(*c.bootstrap);
    if (!to) return Error{"--bootstrap: " + to.error()};
    bootstrap = address_of(*to);
  }
  ChordConfig chord = c.chord;
  chord.ring = *ring;
  chord.self = {id, address};
  auto server = std::unique_ptr<DhtServer>(
      new DhtServer(io, std::move(socket), std::move(chord), std::move(c.stats_text)));
  server->log_notes_ = c.log_notes;
  const auto now = DhtClock::now();
  if (bootstrap) {
    server->send(server->node_.join(*bootstrap, now));
  } else {
    server->node_.create(now);
  }
  server->receive();
  server->arm();
  return server;
}

DhtServer::DhtServer(asio::io_context& io, udp::socket socket, ChordConfig config,
                     StatsText stats_text)
    : io_(io),
      socket_(std::move(socket)),
      timer_(io),
      node_(std::move(config), std::move(stats_text)),
      buffer_(64 * 1024) {}

DhtServer::~DhtServer() { *alive_ = false; }

void DhtServer::stop() {
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

void DhtServer::leave(std::chrono::milliseconds grace, std::function<void()> done) {
  send(node_.leave(DhtClock::now()));
  auto wait = std::make_shared<asio::steady_timer>(io_, grace);
  wait->async_wait([this, alive = alive_, wait, done = std::move(done)](auto) {
    if (*alive) stop();
    done();
  });
}

void DhtServer::receive() {
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_,
      [this, alive = alive_](boost::system::error_code ec, size_t n) {
        if (!*alive || ec == asio::error::operation_aborted || !socket_.is_open()) return;
        if (!ec) {
          const auto now = DhtClock::now();
          if (n > kMaxDatagram) {
            node_.on_bad_datagram(true);
          } else if (auto d = decode_datagram({buffer_.data(), n}); !d) {
            node_.on_bad_datagram(false);
          } else {
            send(node_.on_datagram(address_of(sender_), *d, now));
          }
          arm();
        }
        receive();
      });
}

void DhtServer::send(Outgoings out) {
  for (const std::string& note : node_.take_notes()) {
    if (log_notes_) log_line(note);
  }
  for (Outgoing& o : out) {
    const auto at = Endpoint::parse(o.to);
    if (!at) continue;  // an address some node sent that is not one
    const auto to = udp_endpoint(*at);
    if (!to) continue;
    auto bytes = std::make_shared<std::vector<uint8_t>>(encode_datagram(o.datagram));
    socket_.async_send_to(asio::buffer(*bytes), *to, [bytes](auto, auto) {});
  }
}

void DhtServer::arm() {
  const auto now = DhtClock::now();
  timer_.expires_at(node_.next_wakeup(now));
  timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (!*alive || ec) return;
    send(node_.tick(DhtClock::now()));
    arm();
  });
}

}  // namespace shoal
