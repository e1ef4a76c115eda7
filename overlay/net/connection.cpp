#include "overlay/net/connection.h"

#include "overlay/wire/codec.h"

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
  (chunk ? chunks_ : control_).push_back(std::move(frame));
  pump();
}

void Connection::close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  pump();
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
                     auto m = decode_body(self->body_);
                     if (!m) return self->shut(m.error());
                     if (!self->closing_) {
                       const size_t bytes = kFrameHeader + self->body_.size();
                       (std::holds_alternative<ChunkMsg>(*m) ? self->traffic_.chunk_in
                                                             : self->traffic_.control_in) += bytes;
                       self->handler_.on_message(std::move(*m));
                     }
                     if (!self->closed_) self->read_header();
                   });
}

void Connection::pump() {
  if (closed_) return;
  if (writing_.empty()) {
    if (!control_.empty()) {
      write(control_, false);
    } else if (!chunks_.empty() && (chunk_granted_ || !limiter_)) {
      write(chunks_, true);
    } else if (closing_ && chunks_.empty()) {
      return shut(close_reason_);
    }
  }
  // The next chunk waits for its tokens while this write is in flight.
  if (limiter_ && !chunks_.empty() && !chunk_granted_ && wait_ == 0) {
    wait_ = limiter_->acquire(chunks_.front().size(), [weak = weak_from_this()] {
      if (const auto self = weak.lock()) self->on_granted();
    });
  }
}

void Connection::on_granted() {
  wait_ = 0;
  chunk_granted_ = true;
  pump();
}

void Connection::write(std::deque<std::vector<uint8_t>>& queue, bool chunk) {
  writing_ = std::move(queue.front());
  queue.pop_front();
  writing_chunk_ = chunk;
  if (chunk) {
    chunk_granted_ = false;
  } else if (limiter_) {
    limiter_->charge(writing_.size());
  }
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this(), chunk](boost::system::error_code ec, size_t) {
                      if (ec) return self->shut(ec.message());
                      self->queued_bytes_ -= self->writing_.size();
                      self->writing_.clear();
                      self->writing_chunk_ = false;
                      // Before pump() shuts a flushed closing connection; the
                      // handler may send or close, which finds this write done.
                      if (chunk && self->handler_.on_chunk_sent) self->handler_.on_chunk_sent();
                      self->pump();
                    });
}

void Connection::shut(const std::string& reason) {
  if (closed_) return;
  closed_ = closing_ = true;
  const auto keep_alive = shared_from_this();  // on_closed may drop the owner's reference
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (wait_ != 0) limiter_->cancel(wait_);
  wait_ = 0;
  control_.clear();
  chunks_.clear();
  chunk_granted_ = writing_chunk_ = false;
  queued_bytes_ = 0;
  if (handler_.on_closed) handler_.on_closed(close_reason_.empty() ? reason : close_reason_);
  // Destroyed later, not here: shut may run inside one of these callbacks.
  asio::post(socket_.get_executor(), [dropped = std::move(handler_)] {});
  handler_ = {};
}

}  // namespace shoal
