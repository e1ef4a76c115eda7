#include "sim/sim_source.h"

#include <cmath>

#include "overlay/wire/codec.h"

namespace shoal::sim {

namespace {

using namespace std::chrono_literals;

constexpr size_t kTsPacket = 188;

// A uniform draw in [0, 1) that is the same on every standard library.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

SimSource::SimSource(EventQueue& events, SimNetwork& network, SimTracker& tracker, ChannelKey key,
                     SourceConfig config, Endpoint at, UploadLimit limit, StreamShape stream,
                     uint64_t seed)
    : events_(events),
      network_(network),
      tracker_(tracker),
      key_(key),
      config_(config),
      engine_(config),
      at_(std::move(at)),
      limit_(limit),
      stream_(stream),
      rng_(seed),
      uplink_(events, limit.resolve(std::nullopt).value_or(0)) {}

void SimSource::start() {
  network_.listen(at_,
                  [this](std::shared_ptr<SimConnection> conn) { on_accepted(std::move(conn)); });
  tracker_.keep_announced(
      config_.channel, config_.self, at_, [this] { return !stopped_; },
      [](std::vector<Endpoint>) {});
  events_.after(stream_.chunk, [this] { publish_next(); });
  events_.after(1s, [this] { every_second(); });
}

Chunk SimSource::make_chunk() {
  Chunk c;
  c.seq = ChunkSeq(next_seq_++);
  c.duration_ms = static_cast<uint32_t>(stream_.chunk.count());
  c.capture_time = events_.wall_now() - stream_.chunk - stream_.encode_delay;
  c.pts_us = static_cast<int64_t>(c.seq.value) * stream_.chunk.count() * 1000;
  c.flags = Chunk::kRandomAccess;
  const double mean = stream_.bytes_per_second * static_cast<double>(stream_.chunk.count()) / 1000;
  const double bytes = mean * (1 + stream_.size_jitter * (2 * unit(rng_) - 1));
  const auto packets = std::max<size_t>(1, static_cast<size_t>(std::lround(bytes / kTsPacket)));
  c.payload.assign(packets * kTsPacket, static_cast<uint8_t>(c.seq.value));
  key_.sign(c);
  return c;
}

void SimSource::publish_next() {
  if (stopped_) return;
  Chunk chunk = make_chunk();
  ++published_.chunks_published;
  published_.chunk_bytes_published += chunk.payload.size();
  published_.media_ms_published += chunk.duration_ms;
  auto shared = std::make_shared<const Chunk>(std::move(chunk));
  published_.copy_bytes += encode_frame(ChunkMsg{*shared}).size();
  run(engine_.publish(std::move(shared), events_.wall_now()));
  events_.after(stream_.chunk, [this] { publish_next(); });
}

// source_command.cpp's report_every: a relative limit follows the stream.
void SimSource::every_second() {
  if (stopped_) return;
  if (limit_.stream_multiple && published_.media_ms_published > 0) {
    uplink_.set_rate(*limit_.resolve(static_cast<double>(published_.copy_bytes) * 1000.0 /
                                     static_cast<double>(published_.media_ms_published)));
  }
  events_.after(1s, [this] { every_second(); });
}

void SimSource::on_accepted(std::shared_ptr<SimConnection> conn) {
  const ConnId id(next_conn_++);
  conn->set_handler(
      {.on_message = [this, id](Message m) { on_message(id, m); },
       .on_closed = [this, id](const std::string&) { on_closed(id); },
       .on_chunk_sent = [this, id] { run(engine_.on_chunk_sent(id, events_.wall_now())); }});
  conn->set_uplink(&uplink_);
  const Endpoint remote = conn->remote();
  viewers_[id] = std::move(conn);
  run(engine_.on_connected(id, remote));
}

void SimSource::on_message(ConnId id, const Message& m) {
  if (!viewers_.contains(id)) return;
  // The limit may follow the stream's rate; the engine judges its backlog by it.
  if (uplink_.rate() > 0) engine_.set_upload_capacity(uplink_.rate());
  run(engine_.on_message(id, m, events_.wall_now()));
}

void SimSource::on_closed(ConnId id) {
  const auto it = viewers_.find(id);
  if (it == viewers_.end()) return;
  closed_.bytes_uploaded += it->second->traffic().chunk_out;
  closed_.control_bytes_out += it->second->traffic().control_out;
  viewers_.erase(it);
  engine_.on_disconnected(id);
}

void SimSource::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* send = std::get_if<SendAction>(&action)) {
      if (const auto it = viewers_.find(send->to); it != viewers_.end())
        it->second->send(send->msg);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      if (const auto it = viewers_.find(drop->conn); it != viewers_.end()) {
        it->second->close(drop->reason);
      }
    }
  }
}

void SimSource::stop() {
  if (stopped_) return;
  stopped_ = true;
  network_.unlisten(at_);
  std::vector<std::shared_ptr<SimConnection>> conns;
  for (const auto& [id, conn] : viewers_) conns.push_back(conn);
  for (const auto& conn : conns) {
    conn->send(ByeMsg{"broadcast over"});
    conn->close("broadcast over");
  }
}

SourceStats SimSource::stats() const {
  SourceStats s = closed_;
  s.chunks_published = published_.chunks_published;
  s.chunk_bytes_published = published_.chunk_bytes_published;
  s.copy_bytes = published_.copy_bytes;
  s.media_ms_published = published_.media_ms_published;
  for (const auto& [id, conn] : viewers_) {
    s.bytes_uploaded += conn->traffic().chunk_out;
    s.control_bytes_out += conn->traffic().control_out;
  }
  s.viewers = engine_.viewers();
  return s;
}

}  // namespace shoal::sim
