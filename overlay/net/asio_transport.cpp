#include "overlay/net/asio_transport.h"

#include "media/log.h"
#include "media/wall_clock.h"
#include "overlay/net/asio_timer.h"
#include "overlay/net/dial.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr auto kDialTimeout = 3s;
// A dial given up on keeps trying this long: behind a NAT its mapping stays
// open for the one it dialled to dial back (TCP simultaneous open). Closed
// sooner, its SYN would leave the NAT tracking a connection nobody holds,
// and drop the answer to that dial back for minutes.
constexpr auto kDialLinger = 30s;
}

AsioTransport::AsioTransport(asio::io_context& io, std::unique_ptr<Listener> listener,
                             std::optional<asio::ip::address> dial_from)
    : io_(io), listener_(std::move(listener)), dial_from_(dial_from) {}

AsioTransport::~AsioTransport() {
  alive_.reset();
  if (listener_) listener_->close();
  for (auto& [id, conn] : conns_) conn->close("node gone");
}

std::optional<Endpoint> AsioTransport::local() const {
  return listener_ ? std::optional(listener_->local()) : std::nullopt;
}

void AsioTransport::start_accepting() {
  if (!listener_) return;
  listener_->start([this, alive = std::weak_ptr(alive_)](tcp::socket socket) {
    if (!alive.expired()) on_accepted(std::move(socket));
  });
}

void AsioTransport::stop_accepting() {
  if (listener_) listener_->close();
}

void AsioTransport::on_accepted(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  const ConnId id = adopt(std::move(socket));
  events_->on_accepted(id, Endpoint{address_key(remote.address()), remote.port()});
}

void AsioTransport::dial(const Endpoint& to) {
  auto resolver = std::make_shared<tcp::resolver>(io_);
  auto socket = std::make_shared<tcp::socket>(io_);
  auto deadline = std::make_shared<asio::steady_timer>(io_, kDialTimeout);
  // Told once, at the timeout or at the error, whichever comes first.
  auto told = std::make_shared<bool>(false);
  const auto alive = std::weak_ptr(alive_);
  const auto failed = [this, alive, to, told](const DialError& error) {
    if (std::exchange(*told, true) || alive.expired()) return;
    events_->on_dial_failed(to, error);
  };
  deadline->async_wait([socket, deadline, failed](boost::system::error_code ec) {
    if (ec) return;
    failed({"timed out"});
    deadline->expires_after(kDialLinger - kDialTimeout);
    deadline->async_wait([socket](boost::system::error_code ec) {
      if (!ec) socket->close(ec);
    });
  });
  resolver->async_resolve(
      to.host, std::to_string(to.port),
      [this, alive, resolver, socket, deadline, to, failed](boost::system::error_code ec,
                                                           tcp::resolver::results_type eps) {
        if (ec) return failed({"cannot resolve: " + ec.message()});
        if (alive.expired()) return;
        const uint16_t port = listener_ ? listener_->local().port : 0;
        async_dial(*socket, eps, dial_from_, port,
                   [this, alive, socket, deadline, to, failed](boost::system::error_code ec) {
                     deadline->cancel();
                     if (ec) {
                       return failed({ec.message(), ec == boost::system::errc::address_not_available ||
                                                        ec == boost::system::errc::address_in_use});
                     }
                     if (alive.expired()) return;
                     // After a timeout too: the one it dialled dialled back.
                     events_->on_dialled(adopt(std::move(*socket)), to);
                   });
      });
}

ConnId AsioTransport::adopt(tcp::socket socket) {
  const ConnId id(next_conn_++);
  const auto alive = std::weak_ptr(alive_);
  conns_[id] = Connection::start(
      std::move(socket),
      {.on_message =
           [this, alive, id](Message m, size_t bytes) {
             if (!alive.expired() && conns_.contains(id)) events_->on_message(id, m, bytes);
           },
       .on_closed =
           [this, alive, id](const std::string& reason) {
             if (!alive.expired() && conns_.erase(id)) events_->on_closed(id, reason);
           },
       .on_sent =
           [this, alive, id] {
             if (!alive.expired() && conns_.contains(id)) events_->on_written(id);
           }});
  return id;
}

void AsioTransport::write(ConnId conn, const Frame& frame) {
  if (const auto it = conns_.find(conn); it != conns_.end()) it->second->send(*frame.msg);
}

void AsioTransport::close(ConnId conn) {
  const auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  const auto c = it->second;
  conns_.erase(it);
  c->close("closed");
}

WallTime AsioTransport::wall_now() const { return shoal::wall_now(); }

MonoTime AsioTransport::mono_now() const { return std::chrono::steady_clock::now(); }

std::unique_ptr<Timer> AsioTransport::timer() { return std::make_unique<AsioTimer>(io_); }

void AsioTransport::log(std::string_view line) { log_line(line); }

}  // namespace shoal
