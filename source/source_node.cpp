#include "source/source_node.h"

#include "media/log.h"
#include "media/wall_clock.h"
#include "overlay/wire/codec.h"

namespace shoal {

nlohmann::json SourceStats::to_json() const {
  return {{"chunks_published", chunks_published},
          {"chunk_bytes_published", chunk_bytes_published},
          {"copy_bytes", copy_bytes},
          {"media_ms_published", media_ms_published},
          {"bytes_uploaded", bytes_uploaded},
          {"control_bytes_out", control_bytes_out},
          {"viewers", viewers},
          {"refused", refused}};
}

namespace asio = boost::asio;
using asio::ip::tcp;

SourceNode::SourceNode(asio::io_context& io, ChannelKey key, SourceConfig config)
    : io_(io), key_(key), engine_(config) {}

SourceNode::~SourceNode() {
  if (ingest_) ingest_->stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
}

void SourceNode::serve(std::unique_ptr<Listener> listener, AddressLimitsConfig limits) {
  guard_.emplace("source", limits);
  listener_ = std::move(listener);
  listener_->start([this](tcp::socket socket) { on_accepted(std::move(socket)); });
}

void SourceNode::on_accepted(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  auto address = guard_->admit(socket);
  if (!address) return;
  const ConnId id(next_conn_++);
  auto conn = Connection::start(
      std::move(socket),
      {.on_message = [this, id](Message m) { on_message(id, m); },
       .on_closed = [this, id](const std::string& reason) { on_closed(id, reason); },
       .on_chunk_sent = [this, id] { run(engine_.on_chunk_sent(id, wall_now())); }});
  if (limiter_) conn->set_upload_limiter(limiter_);
  viewers_[id] = Viewer{conn, std::move(*address)};
  run(engine_.on_connected(id, Endpoint{remote.address().to_string(), remote.port()}));
}

void SourceNode::on_message(ConnId id, const Message& m) {
  const auto it = viewers_.find(id);
  if (it == viewers_.end()) return;
  if (!guard_->screen(m, it->second.address, it->second.conn)) return;
  // The limit may follow the stream's rate; the engine judges its backlog by it.
  if (limiter_ && limiter_->rate() > 0) engine_.set_upload_capacity(limiter_->rate());
  run(engine_.on_message(id, m, wall_now()));
}

void SourceNode::on_closed(ConnId id, const std::string& reason) {
  const auto it = viewers_.find(id);
  if (it == viewers_.end()) return;
  const Viewer v = it->second;
  viewers_.erase(it);
  closed_.bytes_uploaded += v.conn->traffic().chunk_out;
  closed_.control_bytes_out += v.conn->traffic().control_out;
  guard_->release(v.address);
  log_line("viewer " + v.conn->remote().to_string() + " left: " + reason);
  engine_.on_disconnected(id);
}

void SourceNode::broadcast(std::unique_ptr<Ingest> ingest,
                           std::function<void(Result<std::monostate>)> on_end) {
  ingest_ = std::move(ingest);
  ingest_thread_ = std::thread([this, on_end = std::move(on_end)] {
    auto result = ingest_->run([this](Chunk chunk) {
      asio::post(io_, [this, chunk = std::move(chunk)]() mutable { publish(std::move(chunk)); });
    });
    asio::post(io_, [on_end, result = std::move(result)] { on_end(result); });
  });
}

void SourceNode::publish(Chunk chunk) {
  key_.sign(chunk);
  ++published_.chunks_published;
  published_.chunk_bytes_published += chunk.payload.size();
  published_.media_ms_published += chunk.duration_ms;
  auto shared = std::make_shared<const Chunk>(std::move(chunk));
  published_.copy_bytes += encode_frame(ChunkMsg{*shared}).size();
  run(engine_.publish(std::move(shared), wall_now()));
}

void SourceNode::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* send = std::get_if<SendAction>(&action)) {
      if (const auto it = viewers_.find(send->to); it != viewers_.end())
        it->second.conn->send(send->msg);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      if (const auto it = viewers_.find(drop->conn); it != viewers_.end()) {
        const auto conn = it->second.conn;
        log_line("dropping " + conn->remote().to_string() + ": " + drop->reason);
        conn->close(drop->reason);
      }
    }
  }
}

void SourceNode::stop() {
  if (ingest_) ingest_->stop();
  if (listener_) listener_->close();
  std::vector<std::shared_ptr<Connection>> conns;
  for (const auto& [id, v] : viewers_) conns.push_back(v.conn);
  for (const auto& conn : conns) {
    conn->send(ByeMsg{"broadcast over"});
    conn->close("broadcast over");
  }
}

SourceStats SourceNode::stats() const {
  SourceStats s = closed_;
  s.chunks_published = published_.chunks_published;
  s.chunk_bytes_published = published_.chunk_bytes_published;
  s.copy_bytes = published_.copy_bytes;
  s.media_ms_published = published_.media_ms_published;
  for (const auto& [id, v] : viewers_) {
    s.bytes_uploaded += v.conn->traffic().chunk_out;
    s.control_bytes_out += v.conn->traffic().control_out;
  }
  s.viewers = engine_.viewers();
  if (guard_) s.refused = guard_->refused();
  return s;
}

}  // namespace shoal
