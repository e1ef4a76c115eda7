#include "peer/engine.h"

#include <algorithm>

#include "media/chunk_signature.h"

namespace shoal {

namespace {

// What a peer with no upload limit reports as spare: a gigabit.
constexpr uint64_t kUnlimitedSpare = 125'000'000;
// Whether a neighbour wants something of ours is judged on our newest chunks.
constexpr int kInterestSpan = 8;
// A newcomer starts at most this many chunks behind the newest start point.
constexpr int kStartSpan = 2;
// An uplink that sent less than this share of its capacity lately has room
// for another unchoked neighbour.
constexpr double kSpareShare = 0.8;
// One that sent at least this share has none: newcomers wait for a slot.
constexpr double kSaturatedShare = 0.95;
// A chunk the source pushed to this peer alone goes out first to this many
// requesters, who start its spread through the swarm.
constexpr int kSeedCopies = 2;

}  // namespace

PeerEngine::PeerEngine(PeerConfig config)
    : config_(config),
      rng_(config.seed),
      store_(config.window_chunks),
      playout_(config.lag),
      scheduler_(config.scheduler, config.seed + 1),
      choker_(config.choker, config.seed + 2),
      candidates_(config.candidates),
      upload_queue_(config.scheduler.request_timeout, config.upload_pipe),
      capacity_(config.upload) {}

Actions PeerEngine::take() { return std::exchange(out_, {}); }

size_t PeerEngine::peer_neighbours() const {
  return std::ranges::count_if(neighbours_, [](const auto& e) { return !e.second.is_source(); });
}

Actions PeerEngine::on_connected(ConnId conn, LinkKind kind, const Endpoint& remote, WallTime now) {
  if (kind == LinkKind::dialled) dialling_.erase(remote.to_string());
  const Hello hello{kProtocolVersion, config_.channel, config_.self, config_.listen_port};
  if (kind == LinkKind::accepted &&
      (config_.client_server || peer_neighbours() >= config_.max_neighbours)) {
    // Full: point the newcomer at our neighbours instead.
    out_.push_back(SendAction{conn, hello});
    PexMsg pex;
    for (const auto& [id, n] : neighbours_) {
      if (n.greeted && n.address.port != 0 && pex.addrs.size() < kPexAddresses)
        pex.addrs.push_back(n.address.to_string());
    }
    out_.push_back(SendAction{conn, std::move(pex)});
    out_.push_back(SendAction{conn, ByeMsg{"neighbour set full"}});
    out_.push_back(DisconnectAction{conn, "neighbour set full", false});
    return take();
  }
  Neighbour& n = neighbours_[conn];
  n.kind = kind;
  n.address = kind == LinkKind::accepted ? Endpoint{remote.host, 0} : remote;
  n.unchoked_us = n.is_source();
  n.connected_at = n.last_pex_sent = now;
  out_.push_back(SendAction{conn, hello});
  send_buffer_map(conn, n, now);
  return take();
}

Actions PeerEngine::on_dial_failed(const Endpoint& to, WallTime now) {
  dialling_.erase(to.to_string());
  candidates_.disconnected(to, true, now);
  maintain_neighbours(now);
  return take();
}

Actions PeerEngine::on_disconnected(ConnId conn, WallTime now) {
  const auto it = neighbours_.find(conn);
  if (it == neighbours_.end()) return {};
  if (!it->second.is_source() && it->second.address.port != 0) {
    candidates_.disconnected(it->second.address, false, now);
  }
  neighbours_.erase(it);
  scheduler_.forget(conn);
  choker_.forget(conn);
  upload_queue_.forget(conn);
  request_missing(now);
  pump_uploads(now);
  return take();
}

Actions PeerEngine::on_peers_found(std::span<const Endpoint> peers, WallTime now) {
  if (config_.client_server) return {};
  for (const Endpoint& p : peers) {
    if (!(p == config_.source)) candidates_.add(p, now);
  }
  maintain_neighbours(now);
  return take();
}

Actions PeerEngine::on_message(ConnId from, const Message& msg, WallTime now) {
  const auto it = neighbours_.find(from);
  if (it == neighbours_.end()) return {};
  Neighbour& n = it->second;
  if (!n.greeted && !std::holds_alternative<Hello>(msg)) {
    drop(from, std::string(message_name(msg)) + " before HELLO", false, now);
    return take();
  }
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          on_hello(from, n, m, now);
        } else if constexpr (std::is_same_v<T, BufferMapMsg>) {
          if (!n.map.assign(m)) return drop(from, "malformed BUFFER_MAP", false, now);
          if (n.is_source()) stream_.announce(m.stream_rate);
          if (const auto newest = n.map.newest(); n.is_source() && newest && m.newest_duration_ms)
            playout_.hint(*newest, m.newest_capture,
                          std::chrono::milliseconds(m.newest_duration_ms));
        } else if constexpr (std::is_same_v<T, HaveMsg>) {
          n.map.apply(m);
        } else if constexpr (std::is_same_v<T, ChunkMsg>) {
          on_chunk(from, n, m.chunk, now);
        } else if constexpr (std::is_same_v<T, RequestMsg>) {
          on_request(from, n, m, now);
        } else if constexpr (std::is_same_v<T, RejectMsg>) {
          scheduler_.rejected(m.seq, from, now);
        } else if constexpr (std::is_same_v<T, CancelMsg>) {
          upload_queue_.cancel(from, m.seq);
        } else if constexpr (std::is_same_v<T, ChokeMsg>) {
          n.unchoked_us = n.is_source();
          scheduler_.forget(from);
        } else if constexpr (std::is_same_v<T, UnchokeMsg>) {
          n.unchoked_us = true;
        } else if constexpr (std::is_same_v<T, PexMsg>) {
          if (config_.client_server) return;
          for (size_t i = 0; i < std::min(m.addrs.size(), kPexAddresses); ++i) {
            auto address = Endpoint::parse(m.addrs[i]);
            if (address && !(*address == config_.source)) candidates_.add(*address, now);
          }
        } else if constexpr (std::is_same_v<T, ByeMsg>) {
          drop(from, "remote left: " + m.reason, false, now);
        } else {
          drop(from, std::string(message_name(msg)) + " is not a peer message", false, now);
        }
      },
      msg);
  follow_stream_rate();
  play_due(now);
  request_missing(now);
  pump_uploads(now);
  return take();
}

void PeerEngine::on_hello(ConnId from, Neighbour& n, const Hello& m, WallTime now) {
  if (m.version != kProtocolVersion) {
    return drop(from, "protocol version " + std::to_string(m.version) + " is not supported", false,
                now);
  }
  if (m.channel != config_.channel) return drop(from, "HELLO for another channel", true, now);
  if (banned_.contains(m.peer_id)) return drop(from, "it sent a bad chunk before", true, now);
  if (m.peer_id == config_.self) {
    if (n.address.port != 0) candidates_.ban(n.address);
    return drop(from, "connected to itself", false, now);
  }
  if (n.kind == LinkKind::accepted && m.listen_port != 0) n.address.port = m.listen_port;
  // Two peers that dialled each other at once keep the link dialled by the
  // smaller id, both reaching the same verdict.
  const auto dialler = [&](const Neighbour& x) {
    return x.kind == LinkKind::dialled ? config_.self : x.id;
  };
  n.id = m.peer_id;
  for (auto& [other_conn, other] : neighbours_) {
    if (other_conn == from || !other.greeted || other.id != m.peer_id) continue;
    if (dialler(n) < dialler(other)) {
      drop(other_conn, "duplicate connection", false, now);
      break;
    }
    return drop(from, "duplicate connection", false, now);
  }
  n.greeted = true;
  if (!n.is_source() && n.address.port != 0) candidates_.connected(n.address);
  if (!n.is_source()) send_pex(from, n, now);
}

void PeerEngine::on_chunk(ConnId from, Neighbour& n, const Chunk& chunk, WallTime now) {
  if (!verify_chunk(config_.channel, chunk)) {
    ++stats_.chunks_rejected;
    if (!n.is_source()) banned_.insert(n.id);
    return drop(from, "bad signature on chunk " + std::to_string(chunk.seq.value), true, now);
  }
  n.received.add(chunk.payload.size(), now);
  const bool pushed = n.is_source() && !scheduler_.in_flight(chunk.seq);
  if (const auto elsewhere = scheduler_.received(chunk.seq, from, now)) {
    if (neighbours_.contains(*elsewhere))
      out_.push_back(SendAction{*elsewhere, CancelMsg{chunk.seq}});
  }
  if (!store_.add(std::make_shared<const Chunk>(chunk))) return;
  stream_.add(chunk);
  stats_.arrival_ms.push_back((now - chunk.capture_time).count());
  if (pushed) {
    seeds_.erase(seeds_.begin(), seeds_.lower_bound(store_.window_base()));
    seeds_[chunk.seq] = kSeedCopies;
  }
  pending_haves_.seqs.push_back(chunk.seq);
  if (chunk.random_access()) pending_haves_.random_access.push_back(chunk.seq);
}

void PeerEngine::on_request(ConnId from, const Neighbour& n, const RequestMsg& r, WallTime now) {
  if (n.is_source()) return;
  const auto wait = r.wait();
  const auto seed = seeds_.find(r.seq);
  const Priority priority = seed != seeds_.end() ? Priority::seed : Priority::common;
  // Said at once, so that the requester asks elsewhere rather than waiting
  // for its timeout. A choked requester sent it before our CHOKE reached it.
  if (!choker_.unchoked(from) || !store_.has(r.seq) || uplink_busy(wait, priority)) {
    out_.push_back(SendAction{from, RejectMsg{r.seq}});
    return;
  }
  upload_queue_.push(from, r.seq, now, wait, priority);
  if (seed != seeds_.end() && --seed->second == 0) seeds_.erase(seed);
}

bool PeerEngine::uplink_busy(std::optional<std::chrono::milliseconds> wait,
                             Priority priority) const {
  // A common chunk is better asked of a less busy holder; a seed has none,
  // so its requester may wait as long as it said.
  const auto limit = wait.value_or(config_.max_upload_wait);
  return upload_queue_.would_wait(
      priority == Priority::seed ? limit : std::min(config_.max_upload_wait, limit),
      stream_.mean_chunk_bytes(), capacity(), priority);
}

Actions PeerEngine::on_chunk_sent(ConnId to, WallTime now) {
  upload_queue_.sent(to);
  pump_uploads(now);
  return take();
}

void PeerEngine::pump_uploads(WallTime now) {
  while (const auto r = upload_queue_.pop(now)) {
    const auto it = neighbours_.find(r->from);
    auto chunk = store_.get(r->seq);
    if (it == neighbours_.end() || !chunk) {
      upload_queue_.sent(r->from);
      continue;
    }
    it->second.sent.add(chunk->payload.size(), now);
    uploaded_.add(chunk->payload.size(), now);
    out_.push_back(SendAction{r->from, ChunkMsg{*chunk}});
  }
}

UplinkLoad PeerEngine::uplink(WallTime now) {
  if (!capacity()) return UplinkLoad::spare;
  if (*capacity() <= 0) return UplinkLoad::saturated;
  const double used = uploaded_.rate(now) / *capacity();
  if (used >= kSaturatedShare) return UplinkLoad::saturated;
  if (used < kSpareShare) return UplinkLoad::spare;
  return UplinkLoad::busy;
}

void PeerEngine::send_buffer_map(ConnId to, Neighbour& n, WallTime now) {
  BufferMapMsg m = store_.to_message();
  m.spare_upload = spare_upload(now);
  out_.push_back(SendAction{to, std::move(m)});
  n.last_map_sent = now;
}

void PeerEngine::send_pex(ConnId to, Neighbour& n, WallTime now) {
  n.last_pex_sent = now;
  if (config_.client_server) return;
  PexMsg pex;
  for (const auto& [conn, other] : neighbours_) {
    if (conn == to || !other.greeted || other.is_source() || other.address.port == 0) continue;
    pex.addrs.push_back(other.address.to_string());
  }
  std::ranges::shuffle(pex.addrs, rng_);
  if (pex.addrs.size() > kPexAddresses) pex.addrs.resize(kPexAddresses);
  if (!pex.addrs.empty()) out_.push_back(SendAction{to, std::move(pex)});
}

uint64_t PeerEngine::spare_upload(WallTime now) {
  if (!capacity()) return kUnlimitedSpare;
  return static_cast<uint64_t>(std::max(0.0, *capacity() - uploaded_.rate(now)));
}

void PeerEngine::follow_stream_rate() {
  if (!capacity_.follow(stream_.rate())) return;
  // The source hands new chunks by spare upload: tell it soon.
  for (auto& [conn, n] : neighbours_) {
    if (n.is_source()) n.last_map_sent = WallTime{};
  }
}

// Playback starts at the oldest random-access chunk that is due at least
// start_margin from now (source_start_margin if only the source holds it):
// the earliest frame this peer can surely show. Deadlines come from the
// source's word on its newest chunk, so a newcomer chooses as soon as the
// source's BUFFER_MAP is in; without it, from the first chunk received (a
// start point is then fetched first).
void PeerEngine::choose_start(WallTime now) {
  auto newest = store_.map().newest();
  if (!newest) {
    std::optional<ChunkSeq> at_source;
    bool peer_serves = false;
    for (const auto& [conn, n] : neighbours_) {
      if (n.is_source()) at_source = n.map.newest();
      peer_serves = peer_serves || (!n.is_source() && n.unchoked_us);
    }
    if (!peer_serves) return;
    newest = at_source;
  }
  if (!newest) return;
  // Start points with the margin each needs: a chunk held by a peer can be
  // fetched in start_margin; one only the source holds may be turned away.
  std::map<ChunkSeq, std::chrono::milliseconds> starts;
  const auto span =
      static_cast<int64_t>(std::min<uint64_t>(newest->value, config_.window_chunks - 1));
  for (const auto& [conn, n] : neighbours_) {
    if (!n.unchoked_us) continue;
    const auto margin = n.is_source() ? config_.source_start_margin : config_.start_margin;
    for (ChunkSeq s = *newest + (-span); s <= *newest; s = s.next()) {
      if (!n.map.has(s) || !n.map.random_access(s)) continue;
      const auto [it, fresh] = starts.emplace(s, margin);
      if (!fresh) it->second = std::min(it->second, margin);
    }
  }
  if (const auto ra = store_.map().newest_random_access())
    starts[*ra] = std::chrono::milliseconds(0);
  for (const auto& [s, margin] : starts) {
    const auto due = playout_.deadline(s, store_);
    if (due && *due >= now + (store_.has(s) ? std::chrono::milliseconds(0) : margin)) {
      return playout_.start_at(s);
    }
  }
  if (const auto ra = store_.map().newest_random_access()) playout_.start_at(*ra);
}

void PeerEngine::play_due(WallTime now) {
  for (PlayoutEvent& e : playout_.tick(now, store_)) {
    ++stats_.chunks_due;
    if (!e.chunk) continue;
    ++stats_.chunks_on_time;
    stats_.played.push_back(e.seq);
    stats_.lag_ms.push_back((now - e.chunk->capture_time).count());
    out_.push_back(PlayAction{std::move(e.chunk)});
  }
  // A start that did not come in time gives way to a later one.
  if (!playout_.started()) choose_start(now);
}

void PeerEngine::request_missing(WallTime now) {
  std::vector<Candidate> candidates;
  std::optional<ChunkSeq> edge, edge_ra;
  for (const auto& [conn, n] : neighbours_) {
    if (!n.greeted) continue;
    if (const auto s = n.map.newest(); s && (!edge || *s > *edge)) edge = s;
    if (const auto s = n.map.newest_random_access(); s && (!edge_ra || *s > *edge_ra)) edge_ra = s;
    if (!n.unchoked_us) continue;
    candidates.push_back({conn, n.is_source() && !config_.client_server, &n.map});
  }
  std::vector<WantedChunk> wanted;
  if (!playout_.started()) choose_start(now);
  if (!playout_.started()) {
    // Nothing held yet: fetch a start point, which fixes the timeline.
    if (const auto probe = start_probe(candidates, edge_ra);
        probe && store_.map().empty() && !scheduler_.in_flight(*probe))
      wanted.push_back({*probe, std::nullopt});
  } else if (edge) {
    const ChunkSeq last = std::min(*edge, *playout_.cursor() + (config_.fetch_ahead - 1));
    for (ChunkSeq s = *playout_.cursor(); s <= last; s = s.next()) {
      if (store_.has(s) || scheduler_.in_flight(s)) continue;
      const auto due = playout_.deadline(s, store_);
      if (due && *due < now) continue;  // too late: it will be skipped
      wanted.push_back({s, due});
    }
  }
  for (const ChunkRequest& r : scheduler_.plan(now, wanted, candidates)) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(r.expires - now);
    out_.push_back(SendAction{r.conn, RequestMsg{r.seq, static_cast<uint32_t>(wait.count())}});
  }
}

// The newest start point overall is fresh, held by the source and a peer or
// two, and so is the start point every newcomer of a flash crowd would ask
// for; one a little older that a peer serving us holds is as good a start
// and spares the source.
std::optional<ChunkSeq> PeerEngine::start_probe(std::span<const Candidate> candidates,
                                                std::optional<ChunkSeq> edge_ra) const {
  if (!edge_ra) return std::nullopt;
  std::optional<ChunkSeq> best;
  for (const Candidate& c : candidates) {
    if (c.is_source) continue;
    for (ChunkSeq s = *edge_ra + (-kStartSpan); s <= *edge_ra; s = s.next()) {
      if (c.map->has(s) && c.map->random_access(s) && (!best || s > *best)) best = s;
    }
  }
  return best ? best : edge_ra;
}

bool PeerEngine::interested(const Neighbour& n) const {
  const auto newest = store_.map().newest();
  if (!newest || n.is_source()) return false;
  for (int i = 0; i < kInterestSpan; ++i) {
    const ChunkSeq s = *newest + (-i);
    if (store_.has(s) && !n.map.has(s)) return true;
  }
  return false;
}

void PeerEngine::rechoke(WallTime now) {
  std::vector<NeighbourRate> rates;
  // A viewer that uploads nothing (a free rider) unchokes nobody.
  const bool uploads = !capacity() || *capacity() > 0;
  for (auto& [conn, n] : neighbours_) {
    if (!uploads || !n.greeted || n.is_source()) continue;
    const bool newcomer = now - n.connected_at < config_.choker.rechoke_interval;
    rates.push_back({conn, n.received.rate(now), interested(n), n.map.empty(), newcomer});
  }
  const Choker::Change change = choker_.tick(now, rates, uplink(now));
  for (ConnId c : change.unchoke) out_.push_back(SendAction{c, UnchokeMsg{}});
  for (ConnId c : change.choke) {
    out_.push_back(SendAction{c, ChokeMsg{}});
    upload_queue_.forget(c);
  }
}

void PeerEngine::maintain_neighbours(WallTime now) {
  if (config_.client_server) return;
  // One neighbour that traded nothing lately makes way, if others are waiting.
  if (now - last_replace_ >= config_.replace_after) {
    last_replace_ = now;
    for (auto& [conn, n] : neighbours_) {
      if (n.is_source() || now - n.connected_at < config_.replace_after ||
          n.received.rate(now) > 0 || n.sent.rate(now) > 0 ||
          candidates_.size() <= peer_neighbours())
        continue;
      drop(conn, "no chunk traded lately; trying another peer", false, now);
      break;
    }
  }
  const size_t have = peer_neighbours() + dialling_.size();
  if (have >= config_.target_neighbours) return;
  for (const Endpoint& to : candidates_.pick(config_.target_neighbours - have, now, rng_)) {
    dialling_.insert(to.to_string());
    out_.push_back(DialAction{to});
  }
}

// To the source too: it spends its rescue copies on chunks few viewers hold.
void PeerEngine::flush_haves() {
  if (pending_haves_.seqs.empty()) return;
  for (const auto& [conn, n] : neighbours_) {
    if (n.greeted) out_.push_back(SendAction{conn, pending_haves_});
  }
  pending_haves_ = {};
}

Actions PeerEngine::tick(WallTime now) {
  for (const ChunkRequest& r : scheduler_.expire(now)) {
    if (neighbours_.contains(r.conn)) out_.push_back(SendAction{r.conn, CancelMsg{r.seq}});
  }
  play_due(now);
  if (now - last_have_flush_ >= config_.have_interval) {
    flush_haves();
    last_have_flush_ = now;
  }
  for (auto& [conn, n] : neighbours_) {
    if (!n.greeted) continue;
    if (now - n.last_map_sent >= config_.buffer_map_interval) send_buffer_map(conn, n, now);
    if (!n.is_source() && now - n.last_pex_sent >= config_.pex_interval) send_pex(conn, n, now);
  }
  rechoke(now);
  maintain_neighbours(now);
  request_missing(now);
  pump_uploads(now);
  return take();
}

WallTime PeerEngine::next_wakeup(WallTime now) const {
  WallTime next = now + config_.idle_tick;
  if (!pending_haves_.seqs.empty()) next = std::min(next, last_have_flush_ + config_.have_interval);
  if (const auto cursor = playout_.cursor()) {
    if (const auto due = playout_.deadline(*cursor, store_)) next = std::min(next, *due);
  }
  if (const auto expiry = scheduler_.next_expiry()) next = std::min(next, *expiry);
  return std::max(next, now);
}

void PeerEngine::drop(ConnId conn, std::string reason, bool ban, WallTime now) {
  out_.push_back(DisconnectAction{conn, std::move(reason), ban});
  const auto it = neighbours_.find(conn);
  if (it == neighbours_.end()) return;
  const Endpoint address = it->second.address;
  const bool peer = !it->second.is_source() && address.port != 0;
  neighbours_.erase(it);
  const bool still_linked = std::ranges::any_of(
      neighbours_, [&](const auto& e) { return e.second.greeted && e.second.address == address; });
  if (peer && ban) candidates_.ban(address);
  if (peer && !ban && !still_linked) candidates_.disconnected(address, false, now);
  scheduler_.forget(conn);
  choker_.forget(conn);
  upload_queue_.forget(conn);
}

}  // namespace shoal
