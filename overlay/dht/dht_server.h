#pragma once
// DhtServer: a ChordNode on a UDP socket. It only moves bytes: each datagram
// received is decoded and handed to the node with its sender's "ip:port"
// (one over kMaxDatagram, or one that does not decode, is dropped and
// counted by the node); the node's datagrams are sent, and its timer is
// re-armed at next_wakeup(). The node's notes go to log_line.
//
// Threading: construct, call and destroy on the io_context's thread. It may
// be destroyed with operations pending: their handlers then do nothing.

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "media/result.h"
#include "overlay/dht/chord.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

struct DhtServerConfig {
  Endpoint listen;  // port 0: any free port
  int id_bits = 160;
  std::optional<std::string> node_id;           // decimal; default: the hash of the bound address
  std::optional<Endpoint> bootstrap;            // none: start a new ring
  bool log_notes = true;                        // the node's notes to log_line
  ChordConfig chord{.ring = *Ring::make(160)};  // ring, self and seed are filled in
  StatsText stats_text;                         // how STATS is answered; none: refused
};

class DhtServer {
 public:
  // Binds the socket and starts (or joins) a ring; or says why it could not.
  static Result<std::unique_ptr<DhtServer>> start(boost::asio::io_context& io,
                                                  DhtServerConfig config);
  ~DhtServer();
  DhtServer(const DhtServer&) = delete;
  DhtServer& operator=(const DhtServer&) = delete;

  // Hands this node's keys to its successor, tells its neighbours, and calls
  // `done` once they have answered or `grace` has passed.
  void leave(std::chrono::milliseconds grace, std::function<void()> done);
  // Closes the socket at once, as a killed process would.
  void stop();

  const ChordNode& node() const { return node_; }

 private:
  DhtServer(boost::asio::io_context& io, boost::asio::ip::udp::socket socket, ChordConfig config,
            StatsText stats_text);
  void receive();
  void send(Outgoings out);
  void arm();

  boost::asio::io_context& io_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  ChordNode node_;
  std::vector<uint8_t> buffer_;
  boost::asio::ip::udp::endpoint sender_;
  bool log_notes_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "ip:port" of a UDP endpoint, as nodes name each other.
std::string address_of(const boost::asio::ip::udp::endpoint& e);
// The UDP endpoint of "host:port" (an IP address, or localhost).
Result<boost::asio::ip::udp::endpoint> udp_endpoint(const Endpoint& at);

}  // namespace shoal
