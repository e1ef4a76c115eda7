#include "peer/peer_node.h"

#include "media/log.h"
#include "media/wall_clock.h"
#include "overlay/net/dial.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr auto kDialTimeout = 3s;
}

PeerNode::PeerNode(asio::io_context& io, ChannelUri uri, PeerConfig config, PlayFn on_play,
                   std::unique_ptr<Listener> listener, AddressLimitsConfig limits)
    : io_(io),
      uri_(std::move(uri)),
      engine_(config),
      on_play_(std::move(on_play)),
      listener_(std::move(listener)),
      guard_("peer", limits),
      wakeup_(io),
      redial_(io) {}

void PeerNode::start() {
  if (listener_) {
    listener_->start([this](tcp::socket socket) { on_accepted(std::move(socket)); });
  }
  dial(uri_.source, LinkKind::source);
}

void PeerNode::dial(const Endpoint& to, LinkKind kind) {
  if (stopped_) return;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  auto socket = std::make_shared<tcp::socket>(io_);
  auto deadline = std::make_shared<asio::steady_timer>(io_, kDialTimeout);
  deadline->async_wait([socket](boost::system::error_code ec) {
    if (!ec) socket->close(ec);
  });
  resolver->async_resolve(to.host, std::to_string(to.port),
                          [this, resolver, socket, deadline, to, kind](
                              boost::system::error_code ec, tcp::resolver::results_type eps) {
                            if (ec)
                              return on_dial_failed(to, kind, "cannot resolve: " + ec.message());
                            async_dial(
                                *socket, eps, from_,
                                [this, socket, deadline, to, kind](boost::system::error_code ec) {
                                  deadline->cancel();
                                  if (ec) return on_dial_failed(to, kind, ec.message());
                                  on_connected(std::move(*socket), kind, to);
                                });
                          });
}

void PeerNode::on_dial_failed(const Endpoint& to, LinkKind kind, const std::string& why) {
  if (stopped_) return;
  if (kind == LinkKind::source) {
    log_line("cannot reach source " + to.to_string() + ": " + why);
    return redial_source_later();
  }
  run(engine_.on_dial_failed(to, wall_now()));
}

void PeerNode::redial_source_later() {
  if (stopped_) return;
  if (source_banned_) {
    log_line("not redialling the source " + uri_.source.to_string() + ": it sent a bad chunk");
    return;
  }
  redial_.expires_after(1s);
  redial_.async_wait([this](boost::system::error_code ec) {
    if (!ec) dial(uri_.source, LinkKind::source);
  });
}

void PeerNode::on_accepted(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec || stopped_) return;
  auto address = guard_.admit(socket);
  if (!address) return;
  on_connected(std::move(socket), LinkKind::accepted,
               Endpoint{remote.address().to_string(), remote.port()}, std::move(*address));
}

void PeerNode::on_connected(tcp::socket socket, LinkKind kind, const Endpoint& remote,
                            std::string address) {
  if (stopped_) return;
  const ConnId id(next_conn_++);
  auto conn = Connection::start(
      std::move(socket),
      {.on_message = [this, id](Message m) { on_message(id, m); },
       .on_closed = [this, id](const std::string& reason) { on_closed(id, reason); },
       .on_chunk_sent = [this, id] { run(engine_.on_chunk_sent(id, wall_now())); }});
  if (kind != LinkKind::accepted) {
    log_line("connected to " + std::string(kind == LinkKind::source ? "source " : "peer ") +
             remote.to_string());
  }
  if (limiter_) conn->set_upload_limiter(limiter_);
  links_[id] = Link{std::move(conn), kind, std::move(address)};
  run(engine_.on_connected(id, kind, remote, wall_now()));
}

void PeerNode::on_message(ConnId id, const Message& m) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const Link& link = it->second;
  if (link.kind == LinkKind::accepted && !guard_.screen(m, link.address, link.conn)) return;
  run(engine_.on_message(id, m, wall_now()));
}

void PeerNode::on_closed(ConnId id, const std::string& reason) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const Link link = it->second;
  links_.erase(it);
  if (link.kind == LinkKind::accepted) guard_.release(link.address);
  closed_traffic_.add(link.conn->traffic(), link.kind);
  if (link.kind == LinkKind::source) {
    log_line("connection to the source closed: " + reason);
  }
  if (stopped_) return;
  run(engine_.on_disconnected(id, wall_now()));
  if (link.kind == LinkKind::source) redial_source_later();
}

void PeerNode::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* play = std::get_if<PlayAction>(&action)) {
      on_play_(*play->chunk);
    } else if (auto* send = std::get_if<SendAction>(&action)) {
      if (const auto it = links_.find(send->to); it != links_.end())
        it->second.conn->send(send->msg);
    } else if (auto* dial_to = std::get_if<DialAction>(&action)) {
      dial(dial_to->to, LinkKind::dialled);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      const auto it = links_.find(drop->conn);
      if (it == links_.end()) continue;
      const auto conn = it->second.conn;
      log_line("dropping " + conn->remote().to_string() + ": " + drop->reason);
      if (drop->ban && it->second.kind == LinkKind::source) source_banned_ = true;
      conn->close(drop->reason);
    }
  }
  // A limit relative to the stream is set by the engine once it knows the rate.
  if (limiter_) limiter_->set_rate(engine_.upload_capacity().value_or(0));
  if (stopped_) return;
  const WallTime now = wall_now();
  wakeup_.expires_at(engine_.next_wakeup(now));
  wakeup_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_) run(engine_.tick(wall_now()));
  });
}

void PeerNode::stop() {
  if (stopped_) return;
  stopped_ = true;
  wakeup_.cancel();
  redial_.cancel();
  if (listener_) listener_->close();
  std::vector<std::shared_ptr<Connection>> conns;
  for (const auto& [id, link] : links_) conns.push_back(link.conn);
  for (const auto& conn : conns) {
    conn->send(ByeMsg{"viewer leaving"});
    conn->close("viewer leaving");
  }
}

PeerTraffic PeerNode::traffic() const {
  PeerTraffic total = closed_traffic_;
  for (const auto& [id, link] : links_) total.add(link.conn->traffic(), link.kind);
  return total;
}

}  // namespace shoal
