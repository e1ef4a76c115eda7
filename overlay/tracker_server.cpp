#include "overlay/tracker_server.h"

#include "media/log.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

TrackerServer::TrackerServer(asio::io_context& io, TrackerConfig config, TrackerLimits limits,
                             uint64_t seed)
    : io_(io), config_(config), limits_(limits), registry_(config, seed), sweeper_(io) {}

void TrackerServer::serve(std::unique_ptr<Listener> listener) {
  listener_ = std::move(listener);
  listener_->start([this](tcp::socket socket) { on_accepted(std::move(socket)); });
  sweep();
}

void TrackerServer::on_accepted(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  const std::string address = remote.address().to_string();
  if (sessions_.size() >= limits_.max_connections ||
      per_address_[address] >= limits_.max_per_address) {
    ++stats_.refused;
    socket.close(ec);
    return;
  }
  ++per_address_[address];
  const uint64_t id = next_id_++;
  auto conn = Connection::start(std::move(socket),
                                {.on_message = [this, id](Message m) { on_message(id, m); },
                                 .on_closed = [this, id](const std::string&) { on_closed(id); }});
  sessions_[id] = Session{std::move(conn), address, std::chrono::steady_clock::now()};
}

void TrackerServer::on_message(uint64_t id, const Message& m) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  const auto now = std::chrono::steady_clock::now();
  s.last_heard = now;
  const auto reply_error = [&](const std::string& reason, bool close) {
    ++stats_.errors;
    s.conn->send(ErrorMsg{reason});
    if (close) s.conn->close(reason);
  };
  auto& budget =
      request_budget_.try_emplace(s.address, limits_.requests_per_second, limits_.request_burst)
          .first->second;
  if (!budget.try_take(1, now)) return reply_error("too many requests; slow down", true);
  const auto* announce = std::get_if<AnnounceMsg>(&m);
  if (!announce) {
    return reply_error(std::string("a tracker only answers ANNOUNCE, not ") + message_name(m),
                       true);
  }
  if (announce->version != kProtocolVersion) {
    return reply_error("protocol version " + std::to_string(announce->version) +
                           " is not supported (this tracker speaks " +
                           std::to_string(kProtocolVersion) + ")",
                       true);
  }
  if (announce->listen_port == 0) return reply_error("listen_port must not be 0", false);
  const Endpoint address{s.address, announce->listen_port};
  auto peers = registry_.announce(announce->channel, announce->peer_id, address, wall_now());
  if (!peers) return reply_error(peers.error(), false);
  ++stats_.announces;
  PeersMsg reply;
  reply.reannounce_s = static_cast<uint32_t>(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(config_.ttl).count() / 3));
  for (const Endpoint& p : *peers) reply.addrs.push_back(p.to_string());
  s.conn->send(reply);
}

void TrackerServer::on_closed(uint64_t id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (--per_address_[it->second.address] == 0) per_address_.erase(it->second.address);
  sessions_.erase(it);
}

// Once a second: silent connections go, stale announces expire.
void TrackerServer::sweep() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Connection>> idle;
  for (const auto& [id, s] : sessions_) {
    if (now - s.last_heard >= limits_.idle_timeout) idle.push_back(s.conn);
  }
  for (const auto& conn : idle) conn->close("idle");
  registry_.expire(wall_now());
  if (request_budget_.size() > 4 * limits_.max_connections) request_budget_.clear();
  sweeper_.expires_after(1s);
  sweeper_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sweep();
  });
}

void TrackerServer::stop() {
  sweeper_.cancel();
  if (listener_) listener_->close();
  std::vector<std::shared_ptr<Connection>> conns;
  for (const auto& [id, s] : sessions_) conns.push_back(s.conn);
  for (const auto& conn : conns) conn->close("tracker stopping");
}

TrackerStats TrackerServer::stats() const {
  TrackerStats s = stats_;
  s.channels = registry_.channels();
  s.connections = sessions_.size();
  return s;
}

}  // namespace shoal
