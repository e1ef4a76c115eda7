#include "sim/sim_peer.h"

namespace shoal::sim {

using namespace std::chrono_literals;

SimPeer::SimPeer(EventQueue& events, SimNetwork& network, SimTracker& tracker, PeerConfig config,
                 Endpoint at)
    : events_(events),
      network_(network),
      tracker_(tracker),
      config_(config),
      engine_(config),
      at_(std::move(at)),
      uplink_(events, config.upload_capacity.value_or(0)) {}

void SimPeer::start() {
  joined_ = events_.wall_now();
  if (at_.port != 0) {
    network_.listen(at_, [this](std::shared_ptr<SimConnection> conn) {
      const Endpoint remote = conn->remote();
      on_connected(std::move(conn), LinkKind::accepted, remote);
    });
  }
  dial(config_.source, LinkKind::source);
  if (!config_.client_server) {
    tracker_.keep_announced(
        config_.channel, config_.self, at_, [this] { return !stopped_; },
        [this](std::vector<Endpoint> peers) {
          run(engine_.on_peers_found(peers, events_.wall_now()));
        });
  }
}

void SimPeer::dial(const Endpoint& to, LinkKind kind) {
  if (stopped_) return;
  network_.dial(
      at_.host, to,
      [this, to, kind](std::shared_ptr<SimConnection> conn) {
        on_connected(std::move(conn), kind, to);
      },
      [this, to, kind](const std::string&) {
        if (stopped_) return;
        if (kind == LinkKind::source) return redial_source_later();
        run(engine_.on_dial_failed(to, events_.wall_now()));
      });
}

void SimPeer::redial_source_later() {
  if (stopped_ || source_banned_) return;
  events_.after(1s, [this] { dial(config_.source, LinkKind::source); });
}

void SimPeer::on_connected(std::shared_ptr<SimConnection> conn, LinkKind kind,
                           const Endpoint& remote) {
  if (stopped_) return conn->kill();  // the socket is dropped unused
  const ConnId id(next_conn_++);
  conn->set_handler(
      {.on_message =
           [this, id](Message m) {
             if (links_.contains(id)) run(engine_.on_message(id, m, events_.wall_now()));
           },
       .on_closed = [this, id](const std::string&) { on_closed(id); },
       .on_chunk_sent = [this, id] { run(engine_.on_chunk_sent(id, events_.wall_now())); }});
  conn->set_uplink(&uplink_);
  links_[id] = Link{std::move(conn), kind};
  run(engine_.on_connected(id, kind, remote, events_.wall_now()));
}

void SimPeer::on_closed(ConnId id) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const Link link = it->second;
  links_.erase(it);
  closed_traffic_.add(link.conn->traffic(), link.kind);
  if (stopped_) return;
  run(engine_.on_disconnected(id, events_.wall_now()));
  if (link.kind == LinkKind::source) redial_source_later();
}

void SimPeer::run(Actions actions) {
  for (Action& action : actions) {
    if (std::holds_alternative<PlayAction>(action)) {
      if (!first_play_) first_play_ = events_.wall_now();
    } else if (auto* send = std::get_if<SendAction>(&action)) {
      if (const auto it = links_.find(send->to); it != links_.end())
        it->second.conn->send(send->msg);
    } else if (auto* dial_to = std::get_if<DialAction>(&action)) {
      dial(dial_to->to, LinkKind::dialled);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      const auto it = links_.find(drop->conn);
      if (it == links_.end()) continue;
      if (drop->ban && it->second.kind == LinkKind::source) source_banned_ = true;
      it->second.conn->close(drop->reason);
    }
  }
  uplink_.set_rate(engine_.upload_capacity().value_or(0));
  if (stopped_) return;
  const uint64_t generation = ++wakeup_;
  events_.at(events_.from_wall(engine_.next_wakeup(events_.wall_now())), [this, generation] {
    if (generation == wakeup_ && !stopped_) run(engine_.tick(events_.wall_now()));
  });
}

void SimPeer::stop() {
  if (stopped_) return;
  stopped_ = true;
  ++wakeup_;
  if (at_.port != 0) network_.unlisten(at_);
  std::vector<std::shared_ptr<SimConnection>> conns;
  for (const auto& [id, link] : links_) conns.push_back(link.conn);
  for (const auto& conn : conns) {
    conn->send(ByeMsg{"viewer leaving"});
    conn->close("viewer leaving");
  }
  events_.after(kExitDelay, [this] { exit(); });
}

void SimPeer::exit() {
  for (const auto& [id, link] : links_) link.conn->kill();
}

PeerTraffic SimPeer::traffic() const {
  PeerTraffic total = closed_traffic_;
  for (const auto& [id, link] : links_) total.add(link.conn->traffic(), link.kind);
  return total;
}

PeerReport SimPeer::report() const {
  PeerReport r = PeerReport::from(engine_.stats(), traffic());
  if (at_.port != 0) r.listen = at_.to_string();
  if (first_play_) r.startup_ms = (*first_play_ - joined_).count();
  return r;
}

}  // namespace shoal::sim
