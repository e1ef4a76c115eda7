#pragma once
// WireClient: a blocking client of the peer wire protocol, for tests and test
// tools. It speaks through the real codec over a real TCP socket.

#include <boost/asio.hpp>
#include <chrono>
#include <optional>

#include "media/result.h"
#include "overlay/wire/codec.h"
#include "overlay/wire/endpoint.h"

namespace shoal::testing {

class WireClient {
 public:
  explicit WireClient(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
  static Result<WireClient> connect(boost::asio::io_context& io, const Endpoint& to);

  bool send(const Message& m);
  // The next message; an error if the stream ends or a frame is bad.
  Result<Message> receive();
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::ip::tcp::socket socket_;
};

// Joins `source` as a viewer and fetches the listed chunks; empty on failure.
std::vector<Chunk> fetch_chunks(const Endpoint& source, const ChannelId& channel,
                                const std::vector<ChunkSeq>& seqs);

}  // namespace shoal::testing
