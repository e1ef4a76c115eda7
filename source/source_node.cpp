#include "source/source_node.h"

#include "media/log.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

SourceNode::SourceNode(asio::io_context& io, ChannelKey key, uint32_t window_chunks)
    : io_(io),
      key_(key),
      engine_(SourceConfig{key.channel(), PeerId(0), window_chunks}),
      acceptor_(io) {}

SourceNode::~SourceNode() {
  if (ingest_) ingest_->stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
}

Result<Endpoint> SourceNode::listen(const Endpoint& at) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(at.host == "localhost" ? "127.0.0.1" : at.host, ec);
  if (ec) return Error{"cannot listen on " + at.to_string() + ": not an IP address"};
  const tcp::endpoint ep(address, at.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen on " + at.to_string() + ": " + ec.message()};
  accept();
  const auto bound = acceptor_.local_endpoint();
  return Endpoint{bound.address().to_string(), bound.port()};
}

void SourceNode::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      const ConnId id(next_conn_++);
      auto conn = Connection::start(
          std::move(socket),
          {.on_message = [this, id](Message m) { run(engine_.on_message(id, m)); },
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
               }});
      conns_[id] = conn;
      run(engine_.on_connected(id));
    } else {
      log_line("accept failed: " + ec.message());
    }
    accept();
  });
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
  run(engine_.publish(std::make_shared<const Chunk>(std::move(chunk))));
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
  boost::system::error_code ignored;
  acceptor_.close(ignored);
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
  for (const auto& [id, conn] : conns_) {
    s.bytes_uploaded += conn->traffic().chunk_out;
    s.control_bytes_out += conn->traffic().control_out;
  }
  s.viewers = engine_.viewers();
  return s;
}

}  // namespace shoal
