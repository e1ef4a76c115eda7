#include "peer/peer_runner.h"

namespace shoal {

using namespace std::chrono_literals;

namespace {
// The engine reads the local wall clock until it learns the channel's.
PeerConfig on_clocks_of(PeerConfig config, const Transport& transport) {
  config.wall_minus_mono =
      transport.wall_now().time_since_epoch() - transport.mono_now().time_since_epoch();
  return config;
}
}  // namespace

PeerRunner::PeerRunner(Transport& transport, const PeerOptions& options, PlayFn on_play)
    : transport_(transport),
      source_(options.source),
      engine_(on_clocks_of(options.make_config(), transport)),
      on_play_(std::move(on_play)),
      uplink_(transport, engine_.upload_capacity().value_or(0)),
      links_(transport, uplink_, "peer", options.limits,
             {.on_chunk_sent = [this](ConnId conn) { run(engine_.on_chunk_sent(conn, now())); },
              .on_closed =
                  [this](ConnId conn, const std::string& reason, const Links::Ended& ended) {
                    on_link_closed(conn, reason, ended);
                  }}),
      wakeup_(transport.timer()),
      redial_(transport.timer()) {
  if (options.hostile) {
    hostility_.emplace(*options.hostile, options.seed + 7);
    hostile_tick_ = transport.timer();
  }
  transport_.attach(*this);
}

void PeerRunner::start() {
  started_ = transport_.mono_now();
  transport_.start_accepting();
  dial_source();
  if (hostility_) misbehave();
}

void PeerRunner::misbehave() {
  if (stopped_) return;
  const auto newest = engine_.store().newest();
  for (Action& a : hostility_->tick(newest ? std::optional(newest->seq) : std::nullopt, now())) {
    if (auto* send = std::get_if<SendAction>(&a)) links_.send(send->to, std::move(send->msg));
    if (auto* dial = std::get_if<DialAction>(&a)) transport_.dial(dial->to);
  }
  hostile_tick_->arm(transport_.mono_now() + Hostility::kTick, [this] { misbehave(); });
}

void PeerRunner::leave() {
  if (stopped_) return;
  left_ = now();
  run(engine_.leave(*left_));
}

void PeerRunner::stop() {
  if (stopped_) return;
  stopped_ = true;
  wakeup_->cancel();
  redial_->cancel();
  if (hostile_tick_) hostile_tick_->cancel();
  transport_.stop_accepting();
  links_.close_all("viewer leaving");
}

void PeerRunner::found_peers(std::span<const Endpoint> peers) {
  if (!stopped_) run(engine_.on_peers_found(peers, now()));
}

void PeerRunner::dial_source() {
  if (!stopped_) transport_.dial(source_);
}

void PeerRunner::redial_source_later() {
  if (stopped_) return;
  if (source_banned_) {
    transport_.log("not redialling the source " + source_.to_string() + ": it sent a bad chunk");
    return;
  }
  redial_->arm(transport_.mono_now() + 1s, [this] { dial_source(); });
}

LinkKind PeerRunner::kind(ConnId conn, bool accepted) const {
  if (conn == source_link_) return LinkKind::source;
  return accepted ? LinkKind::accepted : LinkKind::dialled;
}

void PeerRunner::on_accepted(ConnId conn, const Endpoint& remote) {
  if (stopped_) return transport_.close(conn);
  if (links_.accept(conn, remote)) run(engine_.on_connected(conn, LinkKind::accepted, remote, now()));
}

void PeerRunner::on_dialled(ConnId conn, const Endpoint& to) {
  if (stopped_) return transport_.close(conn);  // the socket is dropped unused
  // The engine never dials the source's address: only this runner does. A
  // dial of it that timed out and connected after all is one link too many.
  if (to == source_ && source_link_) return transport_.close(conn);
  if (to == source_) source_link_ = conn;
  const LinkKind k = kind(conn, false);
  transport_.log("connected to " + std::string(k == LinkKind::source ? "source " : "peer ") +
                 to.to_string());
  if (k != LinkKind::source) peers_dialled_.insert(to.to_string());
  links_.open(conn, to);
  run(engine_.on_connected(conn, k, to, now()));
}

void PeerRunner::on_dial_failed(const Endpoint& to, const DialError& error) {
  if (stopped_) return;
  if (to == source_) {
    transport_.log("cannot reach source " + to.to_string() + ": " + error.why);
    return redial_source_later();
  }
  if (error.local) return run(engine_.on_dial_failed(to, DialFailure::local, now()));
  peer_dials_failed_.insert(to.to_string());
  run(engine_.on_dial_failed(to, DialFailure::unanswered, now()));
}

void PeerRunner::on_message(ConnId conn, const Message& m, size_t bytes) {
  if (!links_.received(conn, m, bytes)) return;
  if (hostility_ && conn != source_link_) hostility_->heard(conn, m, now());
  run(engine_.on_message(conn, m, now()));
}

void PeerRunner::on_link_closed(ConnId conn, const std::string& reason,
                                const Links::Ended& ended) {
  const LinkKind k = kind(conn, ended.accepted);
  closed_traffic_.add(ended.traffic, k);
  if (k == LinkKind::source) {
    source_link_.reset();
    transport_.log("connection to the source closed: " + reason);
  }
  if (stopped_) return;
  if (hostility_) hostility_->closed(conn, ended.remote.host, now());
  run(engine_.on_disconnected(conn, now()));
  if (k == LinkKind::source) redial_source_later();
}

void PeerRunner::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* play = std::get_if<PlayAction>(&action)) {
      if (!first_play_) first_play_ = transport_.mono_now();
      if (on_play_) on_play_(*play->chunk);
    } else if (auto* send = std::get_if<SendAction>(&action)) {
      if (hostility_ && !hostility_->bend(send->to, send->msg, now()))
        continue;
      links_.send(send->to, std::move(send->msg));
    } else if (auto* dial = std::get_if<DialAction>(&action)) {
      if (!stopped_) transport_.dial(dial->to);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      if (!links_.contains(drop->conn)) continue;
      transport_.log("dropping " + links_.remote(drop->conn).to_string() + ": " + drop->reason);
      if (drop->ban && drop->conn == source_link_) source_banned_ = true;
      if (drop->ban) {
        links_.cut(drop->conn, drop->reason);
      } else {
        links_.close(drop->conn, drop->reason);
      }
    }
  }
  // A limit relative to the stream is set by the engine once it knows the rate.
  const double capacity = engine_.upload_capacity().value_or(0);
  uplink_.set_rate(hostility_ ? hostility_->uplink(capacity) : capacity);
  if (stopped_) return;
  if (!clock_told_ && engine_.clock().synced()) {
    clock_told_ = true;
    const auto off = clock_offset();
    transport_.log("this machine's clock is " + std::to_string(std::abs(off->count())) + " ms " +
                   (off->count() >= 0 ? "ahead of" : "behind") + " the source's (within " +
                   std::to_string(clock_error()->count()) + " ms); playing on the source's");
  }
  wakeup_->arm(engine_.local_time(engine_.next_wakeup(now())),
               [this] { run(engine_.tick(now())); });
}

PeerTraffic PeerRunner::traffic() const {
  PeerTraffic total = closed_traffic_;
  links_.for_each([&](ConnId conn, bool accepted, const Traffic& t) {
    total.add(t, kind(conn, accepted));
  });
  return total;
}

PeerReport PeerRunner::report() const {
  PeerReport r = PeerReport::from(engine_.stats(), traffic());
  r.connections_refused = refused();
  if (first_play_)
    r.startup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*first_play_ - started_).count();
  r.peers_dialled = peers_dialled_;
  r.peer_dials_failed = peer_dials_failed_;
  r.clock_offset_ms = clock_offset();
  r.clock_error_ms = clock_error();
  r.peer_id = engine_.self();
  if (left_) r.left_ms = left_->time_since_epoch().count();
  if (hostility_) {
    r.hostile = hostility_->kind();
    r.offended = hostility_->offended();
  }
  return r;
}

std::optional<std::chrono::milliseconds> PeerRunner::clock_offset() const {
  if (!engine_.clock().synced()) return std::nullopt;
  return transport_.wall_now() - now();
}

std::optional<std::chrono::milliseconds> PeerRunner::clock_error() const {
  return engine_.clock().error(transport_.mono_now());
}

}  // namespace shoal
