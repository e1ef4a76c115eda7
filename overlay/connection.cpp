#include "overlay/connection.h"

#include "overlay/codec.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

std::shared_ptr<Connection> Connection::start(tcp::socket socket, Handler handler) {
  std::shared_ptr<Connection> c(new Connection(std::move(socket), std::move(handler)));
  c->read_header();
  return c;
}

Connection::Connection(tcp::socket socket, Handler handler)
    : socket_(std::move(socket)), handler_(std::move(handler)) {
  boost::system::error_code ec;
  const auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_ = Endpoint{ep.address().to_string(), ep.port()};
  socket_.set_option(tcp::no_delay(true), ec);
}

void Connection::send(const Message& m) {
  if (closing_) return;
  const bool chunk = std::holds_alternative<ChunkMsg>(m);
  auto frame = encode_frame(m);
  (chunk ? traffic_.chunk_out : traffic_.control_out) += frame.size();
  queued_bytes_ += frame.size();
  writes_.push_back({std::move(frame), chunk});
  if (writes_.size() == 1) write_next();
}

void Connection::close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  if (writes_.empty()) shut(reason);
}

void Connection::read_header() {
  asio::async_read(
      socket_, asio::buffer(header_),
      [self = shared_from_this()](boost::system::error_code ec, size_t) {
        if (ec) return self->shut(ec == asio::error::eof ? "closed by remote" : ec.message());
        auto n = decode_frame_length(self->header_);
        if (!n) return self->shut(n.error());
        self->read_body(*n);
      });
}

void Connection::read_body(size_t length) {
  body_.resize(length);
  asio::async_read(socket_, asio::buffer(body_),
                   [self = shared_from_this()](boost::system::error_code ec, size_t) {
                     if (ec) return self->shut("truncated frame: " + ec.message());
                     if (self->closing_) return;
                     auto m = decode_body(self->body_);
                     if (!m) return self->shut(m.error());
                     const size_t bytes = kFrameHeader + self->body_.size();
                     (std::holds_alternative<ChunkMsg>(*m) ? self->traffic_.chunk_in
                                                           : self->traffic_.control_in) += bytes;
                     self->handler_.on_message(std::move(*m));
                     if (!self->closing_) self->read_header();
                   });
}

void Connection::write_next() {
  const Frame& f = writes_.front();
  if (!f.chunk || !limiter_ || limiter_->rate() <= 0) return write_front();
  limiter_->acquire(f.bytes.size(), [self = shared_from_this()] {
    if (!self->closed_) self->write_front();
  });
}

void Connection::write_front() {
  asio::async_write(socket_, asio::buffer(writes_.front().bytes),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec) return self->shut(ec.message());
                      const bool chunk = self->writes_.front().chunk;
                      self->queued_bytes_ -= self->writes_.front().bytes.size();
                      self->writes_.pop_front();
                      if (!self->writes_.empty()) {
                        self->write_next();
                      } else if (self->closing_) {
                        return self->shut(self->close_reason_);
                      }
                      // Last: the handler may send, which must find this write done.
                      if (chunk && self->handler_.on_chunk_sent) self->handler_.on_chunk_sent();
                    });
}

void Connection::shut(const std::string& reason) {
  if (closed_) return;
  closed_ = closing_ = true;
  const auto keep_alive = shared_from_this();  // on_closed may drop the owner's reference
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  writes_.clear();
  queued_bytes_ = 0;
  if (handler_.on_closed) handler_.on_closed(close_reason_.empty() ? reason : close_reason_);
  handler_ = {};
}

}  // namespace shoal
