#pragma once
// Connection: one framed TCP connection driven by Boost.Asio. It only moves
// bytes: it reads frames, decodes them and hands each message to its handler,
// and writes queued messages. A bad frame (oversized, truncated,
// undecodable) closes the connection with the codec's reason; the node keeps
// serving its other connections.
//
// Writes: control frames (every message but CHUNK) go out first, in order,
// and are only charged to the upload limiter; CHUNK frames go out in order
// after each has waited for the limiter's tokens. So a REQUEST, HAVE or CHOKE
// is never stuck behind a backlog of chunk data. One write is in flight at a
// time.
//
// Threading: all calls and callbacks happen on the io_context's thread.
// Lifetime: the owner keeps a shared_ptr; socket operations keep the
// connection alive until it shuts (after close() it keeps reading, and drops
// what arrives, until its queue is flushed), so the owner may let go after
// close(). A wait for upload capacity does not own it. on_closed is called
// exactly once; the handler may close the connection from any callback.

#include <array>
#include <boost/asio.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overlay/wire/endpoint.h"
#include "overlay/wire/messages.h"
#include "overlay/net/upload_limiter.h"

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
  // The node's upload capacity, shared with its other connections; set it
  // before the first send. Without one, CHUNK frames do not wait.
  void set_upload_limiter(std::shared_ptr<UploadLimiter> limiter) { limiter_ = std::move(limiter); }
  // Flushes what is queued (CHUNK frames still wait for the limiter), then
  // closes. Safe to call more than once.
  void close(const std::string& reason);

  const Endpoint& remote() const { return remote_; }
  const Traffic& traffic() const { return traffic_; }
  // Frame bytes, and CHUNK frames, queued or being written.
  size_t queued_bytes() const { return queued_bytes_; }
  size_t queued_chunks() const { return chunks_.size() + (writing_chunk_ ? 1 : 0); }
  bool open() const { return !closing_; }

 private:
  Connection(boost::asio::ip::tcp::socket socket, Handler handler);
  void read_header();
  void read_body(size_t length);
  // Starts the next write (control first, then a granted chunk), asks the
  // limiter for the next chunk, or shuts a flushed closing connection.
  void pump();
  void on_granted();
  void write(std::deque<std::vector<uint8_t>>& queue, bool chunk);
  void shut(const std::string& reason);

  boost::asio::ip::tcp::socket socket_;
  Handler handler_;
  Endpoint remote_;
  std::array<uint8_t, 4> header_{};
  std::vector<uint8_t> body_;
  std::deque<std::vector<uint8_t>> control_;
  std::deque<std::vector<uint8_t>> chunks_;
  // The frame being written, owned here until its handler runs (even after
  // shut); empty when no write is in flight.
  std::vector<uint8_t> writing_;
  bool writing_chunk_ = false;
  bool chunk_granted_ = false;      // chunks_.front() has its tokens from the limiter
  UploadLimiter::Ticket wait_ = 0;  // the limiter wait for chunks_.front(); 0: none
  size_t queued_bytes_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  std::string close_reason_;
  Traffic traffic_;
  std::shared_ptr<UploadLimiter> limiter_;
};

}  // namespace shoal
