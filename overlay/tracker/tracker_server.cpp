#include "overlay/tracker/tracker_server.h"

#include <algorithm>

#include "media/log.h"
#include "media/wall_clock.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

TrackerServer::TrackerServer(asio::io_context& io, TrackerServerConfig config)
    : io_(io),
      config_(config),
      registry_(config.registry, config.seed),
      guard_("tracker", config.limits, [](std::string_view line) { log_line(line); }),
      sweeper_(io) {}

TrackerServer::~TrackerServer() { stop(); }

Result<Endpoint> TrackerServer::listen(const Endpoint& at) {
  if (listener_)
    return Error{"the tracker is already listening on " + listener_->local().to_string()};
  auto listener = Listener::open(io_, at);
  if (!listener) return Error{listener.error()};
  listener_ = std::move(*listener);
  listener_->start([this, alive = std::weak_ptr(alive_)](tcp::socket socket) {
    if (!alive.expired()) on_accepted(std::move(socket));
  });
  sweep();
  return listener_->local();
}

void TrackerServer::on_accepted(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  std::string address = address_key(remote.address());
  if (!guard_.admit(address, Clock::now())) return;
  const uint64_t id = next_id_++;
  const auto alive = std::weak_ptr(alive_);
  auto conn = Connection::start(std::move(socket), {.on_message =
                                                        [this, alive, id](Message m, size_t) {
                                                          if (!alive.expired()) on_message(id, m);
                                                        },
                                                    .on_closed =
                                                        [this, alive, id](const std::string&) {
                                                          if (!alive.expired()) on_closed(id);
                                                        }});
  sessions_[id] = Session{std::move(conn), std::move(address), Clock::now()};
}

void TrackerServer::on_message(uint64_t id, const Message& m) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  s.last_heard = Clock::now();
  if (!guard_.allow_request(s.address, s.last_heard)) {
    // A client that ignores the first refusal is abusing the tracker.
    const bool abuse = s.warned;
    s.warned = true;
    return reply_error(s, "too many requests from " + s.address + "; announce less often", abuse);
  }
  const auto* announce = std::get_if<AnnounceMsg>(&m);
  if (!announce) {
    return reply_error(s, std::string("a tracker answers only ANNOUNCE, not ") + message_name(m),
                       true);
  }
  if (announce->version != kProtocolVersion) {
    return reply_error(s,
                       "protocol version " + std::to_string(announce->version) +
                           " is not supported; this tracker speaks version " +
                           std::to_string(kProtocolVersion),
                       true);
  }
  auto reply = answer(s, *announce);
  if (!reply) return reply_error(s, reply.error(), false);
  ++stats_.announces;
  s.conn->send(*reply);
}

Result<PeersMsg> TrackerServer::answer(const Session& s, const AnnounceMsg& announce) {
  if (announce.listen_port == 0) {
    return Error{"listen_port 0: announce the port this node accepts peers on"};
  }
  auto peers = registry_.announce(announce.channel, announce.peer_id,
                                  Endpoint{s.address, announce.listen_port}, wall_now());
  if (!peers) return Error{peers.error()};
  channels_.insert(announce.channel);
  PeersMsg reply;
  // A third of the ttl: an entry survives two lost re-announces.
  const auto every = std::chrono::duration_cast<std::chrono::seconds>(config_.registry.ttl / 3);
  reply.reannounce_s = static_cast<uint32_t>(std::max<int64_t>(1, every.count()));
  for (const Endpoint& p : *peers) reply.addrs.push_back(p.to_string());
  reply.your_host = s.address;
  return reply;
}

// Closing last: `s` may be gone once the connection is closed.
void TrackerServer::reply_error(Session& s, const std::string& reason, bool close) {
  ++stats_.errors;
  s.conn->send(ErrorMsg{reason});
  if (close) s.conn->close(reason);
}

void TrackerServer::on_closed(uint64_t id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  guard_.release(it->second.address);
  sessions_.erase(it);
}

void TrackerServer::sweep() {
  const auto now = Clock::now();
  std::vector<std::shared_ptr<Connection>> idle;
  for (const auto& [id, s] : sessions_) {
    if (now - s.last_heard >= config_.idle_timeout) idle.push_back(s.conn);
  }
  for (const auto& conn : idle) conn->close("idle");  // on_closed erases the session
  registry_.expire(wall_now());
  std::erase_if(channels_, [&](const ChannelId& c) { return registry_.peers(c) == 0; });
  sweeper_.expires_after(config_.sweep_interval);
  sweeper_.async_wait([this, alive = std::weak_ptr(alive_)](boost::system::error_code ec) {
    if (!ec && !alive.expired() && !stopped_) sweep();
  });
}

void TrackerServer::stop() {
  stopped_ = true;  // a sweep already due must not re-arm the timer
  sweeper_.cancel();
  if (listener_) listener_->close();
  std::vector<std::shared_ptr<Connection>> conns;
  for (const auto& [id, s] : sessions_) conns.push_back(s.conn);
  for (const auto& conn : conns) conn->close("tracker stopping");
}

TrackerStats TrackerServer::stats() const {
  TrackerStats s = stats_;
  s.channels = registry_.channels();
  s.peers = 0;
  for (const ChannelId& c : channels_) s.peers += registry_.peers(c);
  s.connections = sessions_.size();
  s.refused = guard_.refused();
  return s;
}

}  // namespace shoal
