#include "source/source_node.h"

#include "media/log.h"
#include "overlay/codec.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

SourceNode::SourceNode(asio::io_context& io, ChannelKey key, SourceConfig config)
    : io_(io), key_(key), engine_(config) {}

SourceNode::~SourceNode() {
  if (ingest_) ingest_->stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
}

void SourceNode::serve(std::unique_ptr<Listener> listener) {
  listener_ = std::move(listener);
  listener_->start([this](tcp::socket socket) { on_accepted(std::move(socket)); });
}

void SourceNode::on_accepted(tcp::socket socket) {
  const ConnId id(next_conn_++);
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  auto conn = Connection::start(
      std::move(socket),
      {.on_message = [this, id](Message m) { run(engine_.on_message(id, m, wall_now())); },
       .on_closed =
           [this, id](const std::string& reason) {
             const auto it = conns_.find(id);
             if (it == conns_.end()) return;
             const Traffic& t = it->second->traffic();
             closed_.bytes_uploaded += t.chunk_out;
             closed_.control_bytes_out += t.control_out;
             log_line("viewer " + it->second->remote().to_string() + " left: " + reason);
             conns_.erase(it);
             engine_.on_disconnected(id);
           },
       .on_chunk_sent = [this, id] { run(engine_.on_chunk_sent(id, wall_now())); }});
  if (limiter_) conn->set_upload_limiter(limiter_);
  conns_[id] = conn;
  run(engine_.on_connected(id, Endpoint{remote.address().to_string(), remote.port()}));
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
      if (const auto it = conns_.find(send->to); it != conns_.end()) it->second->send(send->msg);
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      if (const auto it = conns_.find(drop->conn); it != conns_.end()) {
        const auto conn = it->second;
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
  for (const auto& [id, conn] : conns_) conns.push_back(conn);
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
  for (const auto& [id, conn] : conns_) {
    s.bytes_uploaded += conn->traffic().chunk_out;
    s.control_bytes_out += conn->traffic().control_out;
  }
  s.viewers = engine_.viewers();
  return s;
}

}  // namespace shoal
