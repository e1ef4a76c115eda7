#pragma once
// Connection: one framed TCP connection driven by Boost.Asio. It only moves
// bytes: it reads frames, decodes them and hands each message to its handler,
// and writes queued messages in order. A bad frame (oversized, truncated,
// undecodable) closes the connection with the codec's reason; the node keeps
// serving its other connections.
//
// Threading: all calls and callbacks happen on the io_context's thread.
// Lifetime: the owner keeps a shared_ptr; pending operations keep it alive
// until they finish after close(). on_closed is called exactly once.

#include <boost/asio.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "overlay/endpoint.h"
#include "overlay/messages.h"
#include "overlay/upload_limiter.h"

namespace shoal {

// Frame bytes moved, split into chunk payload frames and everything else
// (control), which is how control overhead is measured.
struct Traffic {
  uint64_t chunk_in = 0;
  uint64_t control_in = 0;
  uint64_t chunk_out = 0;
  uint64_t control_out = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Handler {
    std::function<void(Message)> on_message;
    std::function<void(const std::string& reason)> on_closed;
    // A CHUNK frame has been written to the socket (may be empty).
    std::function<void()> on_chunk_sent;
  };

  static std::shared_ptr<Connection> start(boost::asio::ip::tcp::socket socket, Handler handler);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const Message& m);
  // CHUNK frames then wait for the node's upload capacity before going out.
  void set_upload_limiter(std::shared_ptr<UploadLimiter> limiter) { limiter_ = std::move(limiter); }
  // Flushes what is queued, then closes. Safe to call more than once.
  void close(const std::string& reason);

  const Endpoint& remote() const { return remote_; }
  const Traffic& traffic() const { return traffic_; }
  size_t queued_bytes() const { return queued_bytes_; }
  bool open() const { return !closing_; }

 private:
  Connection(boost::asio::ip::tcp::socket socket, Handler handler);
  void read_header();
  void read_body(size_t length);
  void write_next();
  void write_front();
  void shut(const std::string& reason);

  boost::asio::ip::tcp::socket socket_;
  Handler handler_;
  Endpoint remote_;
  std::array<uint8_t, 4> header_{};
  std::vector<uint8_t> body_;
  struct Frame {
    std::vector<uint8_t> bytes;
    bool chunk = false;
  };
  std::deque<Frame> writes_;
  size_t queued_bytes_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  std::string close_reason_;
  Traffic traffic_;
  std::shared_ptr<UploadLimiter> limiter_;
};

}  // namespace shoal
