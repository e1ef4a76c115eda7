#include "peer/peer_node.h"

#include "media/log.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

PeerNode::PeerNode(asio::io_context& io, ChannelUri uri, PeerConfig config, PlayFn on_play)
    : io_(io),
      uri_(std::move(uri)),
      engine_(config),
      on_play_(std::move(on_play)),
      wakeup_(io),
      redial_(io) {}

void PeerNode::start() { dial_source(); }

void PeerNode::dial_source() {
  if (stopped_) return;
  if (banned_hosts_.contains(uri_.source.to_string())) {
    log_line("not redialling the source " + uri_.source.to_string() + ": it sent a bad chunk");
    return;
  }
  auto resolver = std::make_shared<tcp::resolver>(io_);
  auto socket = std::make_shared<tcp::socket>(io_);
  resolver->async_resolve(
      uri_.source.host, std::to_string(uri_.source.port),
      [this, resolver, socket](boost::system::error_code ec, tcp::resolver::results_type eps) {
        if (ec) {
          log_line("cannot resolve source " + uri_.source.to_string() + ": " + ec.message());
          return redial_later();
        }
        asio::async_connect(*socket, eps, [this, socket](boost::system::error_code ec, auto) {
          if (ec) {
            log_line("cannot reach source " + uri_.source.to_string() + ": " + ec.message());
            return redial_later();
          }
          on_connected(std::move(*socket), true);
        });
      });
}

void PeerNode::redial_later() {
  if (stopped_) return;
  redial_.expires_after(1s);
  redial_.async_wait([this](boost::system::error_code ec) {
    if (!ec) dial_source();
  });
}

void PeerNode::on_connected(tcp::socket socket, bool is_source) {
  if (stopped_) return;
  const ConnId id(next_conn_++);
  auto conn = Connection::start(
      std::move(socket),
      {.on_message = [this, id](Message m) { run(engine_.on_message(id, m, wall_now())); },
       .on_closed = [this, id](const std::string& reason) { on_closed(id, reason); }});
  log_line("connected to " + std::string(is_source ? "source " : "peer ") +
           conn->remote().to_string());
  links_[id] = Link{std::move(conn), is_source};
  run(engine_.on_connected(id, is_source, wall_now()));
}

void PeerNode::on_closed(ConnId id, const std::string& reason) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const Link link = it->second;
  links_.erase(it);
  add_traffic(link.conn->traffic(), link.is_source, closed_traffic_);
  log_line("connection to " + link.conn->remote().to_string() + " closed: " + reason);
  if (stopped_) return;
  run(engine_.on_disconnected(id, wall_now()));
  if (link.is_source) redial_later();
}

void PeerNode::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* play = std::get_if<PlayAction>(&action)) {
      on_play_(*play->chunk);
    } else if (auto* send = std::get_if<SendAction>(&action)) {
      if (const auto it = links_.find(send->to); it != links_.end())
        it->second.conn->send(send->msg);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      const auto it = links_.find(drop->conn);
      if (it == links_.end()) continue;
      const auto conn = it->second.conn;
      log_line("dropping " + conn->remote().to_string() + ": " + drop->reason);
      if (drop->ban) banned_hosts_.insert(conn->remote().to_string());
      conn->close(drop->reason);
    }
  }
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
  std::vector<std::shared_ptr<Connection>> conns;
  for (const auto& [id, link] : links_) conns.push_back(link.conn);
  for (const auto& conn : conns) {
    conn->send(ByeMsg{"viewer leaving"});
    conn->close("viewer leaving");
  }
}

void PeerNode::add_traffic(const Traffic& t, bool is_source, PeerTraffic& into) const {
  (is_source ? into.from_source : into.from_peers) += t.chunk_in;
  into.uploaded += t.chunk_out;
  into.control_in += t.control_in;
  into.control_out += t.control_out;
}

PeerTraffic PeerNode::traffic() const {
  PeerTraffic total = closed_traffic_;
  for (const auto& [id, link] : links_) add_traffic(link.conn->traffic(), link.is_source, total);
  return total;
}

}  // namespace shoal
