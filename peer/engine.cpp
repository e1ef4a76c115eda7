#include "peer/engine.h"

#include <algorithm>

#include "media/chunk_signature.h"

namespace shoal {

PeerEngine::PeerEngine(PeerConfig config)
    : config_(config),
      store_(config.window_chunks),
      playout_(config.lag),
      scheduler_(config.scheduler) {}

Actions PeerEngine::take() { return std::exchange(out_, {}); }

Actions PeerEngine::on_connected(ConnId conn, bool is_source, WallTime now) {
  Neighbour& n = neighbours_[conn];
  n.is_source = is_source;
  out_.push_back(SendAction{
      conn, Hello{kProtocolVersion, config_.channel, config_.self, config_.listen_port}});
  send_buffer_map(conn, n, now);
  return take();
}

Actions PeerEngine::on_disconnected(ConnId conn, WallTime now) {
  neighbours_.erase(conn);
  scheduler_.forget(conn);
  request_missing(now);
  return take();
}

Actions PeerEngine::on_message(ConnId from, const Message& msg, WallTime now) {
  const auto it = neighbours_.find(from);
  if (it == neighbours_.end()) return {};
  Neighbour& n = it->second;
  if (!n.greeted && !std::holds_alternative<Hello>(msg)) {
    drop(from, std::string(message_name(msg)) + " before HELLO", false);
    return take();
  }
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          on_hello(from, n, m);
        } else if constexpr (std::is_same_v<T, BufferMapMsg>) {
          if (!n.map.assign(m)) return drop(from, "malformed BUFFER_MAP", false);
        } else if constexpr (std::is_same_v<T, HaveMsg>) {
          n.map.apply(m);
        } else if constexpr (std::is_same_v<T, ChunkMsg>) {
          on_chunk(from, m.chunk);
        } else if constexpr (std::is_same_v<T, RequestMsg>) {
          if (auto chunk = store_.get(m.seq)) out_.push_back(SendAction{from, ChunkMsg{*chunk}});
        } else if constexpr (std::is_same_v<T, ByeMsg>) {
          drop(from, "remote left: " + m.reason, false);
        }
      },
      msg);
  choose_start();
  play_due(now);
  request_missing(now);
  return take();
}

void PeerEngine::on_hello(ConnId from, Neighbour& n, const Hello& m) {
  if (m.version != kProtocolVersion) {
    return drop(from, "protocol version " + std::to_string(m.version) + " is not supported", false);
  }
  if (m.channel != config_.channel) return drop(from, "HELLO for another channel", true);
  n.greeted = true;
}

void PeerEngine::on_chunk(ConnId from, const Chunk& chunk) {
  if (!verify_chunk(config_.channel, chunk)) {
    ++stats_.chunks_rejected;
    scheduler_.received(chunk.seq);
    return drop(from, "bad signature on chunk " + std::to_string(chunk.seq.value), true);
  }
  scheduler_.received(chunk.seq);
  if (!store_.add(std::make_shared<const Chunk>(chunk))) return;
  pending_haves_.seqs.push_back(chunk.seq);
  if (chunk.random_access()) pending_haves_.random_access.push_back(chunk.seq);
}

void PeerEngine::send_buffer_map(ConnId to, Neighbour& n, WallTime now) {
  out_.push_back(SendAction{to, store_.map().to_message(store_.window_base(), store_.capacity())});
  n.last_map_sent = now;
}

// Start at the newest random-access chunk any neighbour offers: with the
// fixed lag it is due latest of all, so it is the one most surely in time.
void PeerEngine::choose_start() {
  if (playout_.started()) return;
  std::optional<ChunkSeq> newest;
  for (const auto& [conn, n] : neighbours_) {
    const auto ra = n.map.newest_random_access();
    if (ra && (!newest || *ra > *newest)) newest = ra;
  }
  if (newest) playout_.start_at(*newest);
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
}

void PeerEngine::request_missing(WallTime now) {
  const auto from = playout_.cursor();
  if (!from) return;
  std::vector<Candidate> candidates;
  std::optional<ChunkSeq> newest;
  for (const auto& [conn, n] : neighbours_) {
    if (!n.greeted) continue;
    candidates.push_back({conn, n.is_source, &n.map});
    const auto edge = n.map.newest();
    if (edge && (!newest || *edge > *newest)) newest = edge;
  }
  if (!newest || *newest < *from) return;
  const ChunkSeq to = std::min(*newest, *from + (config_.window_chunks - 1));
  for (const ChunkRequest& r : scheduler_.plan(now, *from, to, store_, candidates)) {
    out_.push_back(SendAction{r.conn, RequestMsg{r.seq}});
  }
}

void PeerEngine::flush_haves() {
  if (pending_haves_.seqs.empty()) return;
  for (const auto& [conn, n] : neighbours_) {
    if (n.greeted && !n.is_source) out_.push_back(SendAction{conn, pending_haves_});
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
    if (n.greeted && now - n.last_map_sent >= config_.buffer_map_interval) {
      send_buffer_map(conn, n, now);
    }
  }
  request_missing(now);
  return take();
}

WallTime PeerEngine::next_wakeup(WallTime now) const {
  WallTime next = now + std::min(config_.have_interval, config_.buffer_map_interval);
  if (const auto cursor = playout_.cursor()) {
    if (const auto due = playout_.deadline(*cursor, store_)) next = std::min(next, *due);
  }
  if (const auto expiry = scheduler_.next_expiry()) next = std::min(next, *expiry);
  return std::max(next, now);
}

void PeerEngine::drop(ConnId conn, std::string reason, bool ban) {
  out_.push_back(DisconnectAction{conn, std::move(reason), ban});
  neighbours_.erase(conn);
  scheduler_.forget(conn);
}

}  // namespace shoal
