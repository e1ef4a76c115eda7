#pragma once
// Connection: one framed TCP connection driven by Boost.Asio. It only moves
// bytes: it reads frames, decodes them and hands each message to its handler,
// and writes the messages it is given, in order, one write in flight at a
// time. A bad frame (oversized, truncated, undecodable) closes the connection
// with the codec's reason; the node keeps serving its other connections.
// A body is read as its bytes arrive, never allocated in full from its
// header: room for kReadStep bytes at first, then for as much again as has
// come, so a reader holds at most twice what a sender really sent plus
// kReadStep. A body longer than its type allows is refused at its first two
// bytes, which tell the type (overlay/wire/codec.h).
// What goes first and how fast is decided above it (overlay/transport/links.h
// for nodes); the tracker's sessions write straight through.
//
// Threading: all calls and callbacks happen on the io_context's thread.
// Lifetime: the owner keeps a shared_ptr; socket operations keep the
// connection alive until it shuts (after close() it keeps reading, and drops
// what arrives, until its queue is flushed), so the owner may let go after
// close(). on_closed is called exactly once; the handler may close the
// connection from any callback.

#include <array>
#include <boost/asio.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overlay/wire/endpoint.h"
#include "overlay/wire/messages.h"

namespace shoal {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Handler {
    // A message and the bytes of its frame, header included.
    std::function<void(Message, size_t frame_bytes)> on_message;
    std::function<void(const std::string& reason)> on_closed;
    // A frame has been written to the socket (may be empty).
    std::function<void()> on_sent;
  };

  static std::shared_ptr<Connection> start(boost::asio::ip::tcp::socket socket, Handler handler);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const Message& m);
  // Flushes what is queued, then closes. Safe to call more than once.
  void close(const std::string& reason);

  const Endpoint& remote() const { return remote_; }
  // Frames queued or being written.
  size_t queued_frames() const { return queue_.size() + (writing_.empty() ? 0 : 1); }
  bool open() const { return !closing_; }

 private:
  Connection(boost::asio::ip::tcp::socket socket, Handler handler);
  static constexpr size_t kReadStep = 64 << 10;

  void read_header();
  // Reads what has arrived into body_, on until it holds `length` bytes, then
  // decodes it.
  void read_body(size_t length);
  void on_body(size_t length);
  // Starts the next write, or shuts a flushed closing connection.
  void pump();
  void shut(const std::string& reason);

  boost::asio::ip::tcp::socket socket_;
  Handler handler_;
  Endpoint remote_;
  std::array<uint8_t, 4> header_{};
  std::vector<uint8_t> body_;
  std::deque<std::vector<uint8_t>> queue_;
  // The frame being written, owned here until its handler runs (even after
  // shut); empty when no write is in flight.
  std::vector<uint8_t> writing_;
  bool closing_ = false;
  bool closed_ = false;
  std::string close_reason_;
};

}  // namespace shoal
