#include "overlay/net/connection.h"

#include <algorithm>

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
  queue_.push_back(encode_frame(m));
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
  const size_t have = body_.size();
  const size_t room = have + std::min(length - have, std::max(kReadStep, have));
  if (room > body_.capacity()) body_.reserve(room);  // exactly: no vector doubling on top
  body_.resize(room);
  asio::async_read(
      socket_, asio::buffer(body_.data() + have, room - have), asio::transfer_at_least(1),
      [self = shared_from_this(), length, have](boost::system::error_code ec, size_t n) {
        if (ec) return self->shut("truncated frame: " + ec.message());
        self->body_.resize(have + n);
        if (have < kBodyStart && self->body_.size() >= kBodyStart) {
          auto limits = check_body_start(self->body_, length);
          if (!limits) return self->shut(limits.error());
        }
        if (self->body_.size() < length) return self->read_body(length);
        self->on_body(length);
      });
}

void Connection::on_body(size_t length) {
  auto m = decode_body(body_);
  body_.clear();
  if (body_.capacity() > kReadStep) body_.shrink_to_fit();  // idle links keep little
  if (!m) return shut(m.error());
  if (!closing_) handler_.on_message(std::move(*m), kFrameHeader + length);
  if (!closed_) read_header();
}

void Connection::pump() {
  if (closed_ || !writing_.empty()) return;
  if (queue_.empty()) {
    if (closing_) shut(close_reason_);
    return;
  }
  writing_ = std::move(queue_.front());
  queue_.pop_front();
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec) return self->shut(ec.message());
                      self->writing_.clear();
                      // Before pump() shuts a flushed closing connection; the
                      // handler may send or close, which finds this write done.
                      if (self->handler_.on_sent) self->handler_.on_sent();
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
  queue_.clear();
  if (handler_.on_closed) handler_.on_closed(close_reason_.empty() ? reason : close_reason_);
  // Destroyed later, not here: shut may run inside one of these callbacks.
  asio::post(socket_.get_executor(), [dropped = std::move(handler_)] {});
  handler_ = {};
}

}  // namespace shoal
