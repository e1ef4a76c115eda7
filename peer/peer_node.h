#pragma once
// PeerNode: runs a PeerEngine in a process. It dials the source and the
// peers the engine asks for, accepts neighbours on its Listener, carries out
// the engine's actions over real TCP connections, and keeps one timer armed
// at the engine's next wake-up. It holds no protocol logic of its own.
//
// If the source cannot be reached or the link drops, it redials every second
// (unless the source was banned for sending a bad chunk); playback goes on
// meanwhile from the peers, skipping what does not arrive.
//
// Threading: everything runs on the io_context's thread.

#include <boost/asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "overlay/net/accept_guard.h"
#include "overlay/wire/channel_uri.h"
#include "overlay/net/connection.h"
#include "overlay/net/listener.h"
#include "peer/engine.h"

namespace shoal {

// Chunk bytes moved, by whom: what the stats report.
struct PeerTraffic {
  uint64_t from_source = 0;
  uint64_t from_peers = 0;
  uint64_t uploaded = 0;
  uint64_t control_in = 0;
  uint64_t control_out = 0;
  // Adds what one connection moved, as its kind counts it.
  void add(const Traffic& t, LinkKind kind) {
    (kind == LinkKind::source ? from_source : from_peers) += t.chunk_in;
    uploaded += t.chunk_out;
    control_in += t.control_in;
    control_out += t.control_out;
  }
};

// What one address may cost a peer's port: a peer keeps about a dozen
// neighbours, so far fewer connections in all than the source. REQUESTs as
// for the source (kSourceAddressLimits).
inline constexpr AddressLimitsConfig kPeerAddressLimits{
    .max_per_address = 8, .max_total = 64, .requests_per_second = 50, .request_burst = 200};

class PeerNode {
 public:
  using PlayFn = std::function<void(const Chunk&)>;

  // `listener` may be null: the peer then accepts no neighbours. Accepted
  // neighbours are held to `limits` per address (one over its REQUEST budget
  // is dropped).
  PeerNode(boost::asio::io_context& io, ChannelUri uri, PeerConfig config, PlayFn on_play,
           std::unique_ptr<Listener> listener, AddressLimitsConfig limits = kPeerAddressLimits);
  PeerNode(const PeerNode&) = delete;
  PeerNode& operator=(const PeerNode&) = delete;

  void start();
  // Says BYE to every neighbour and closes; the node then stays idle.
  void stop();
  // Every connection's CHUNK frames then share this upload capacity.
  void set_upload_limiter(std::shared_ptr<UploadLimiter> limiter) { limiter_ = std::move(limiter); }
  // Dials then leave from this address (see overlay/dial.h).
  void set_dial_from(std::optional<boost::asio::ip::address> from) { from_ = from; }

  PeerTraffic traffic() const;
  // Connections closed at once by the per-address limits.
  uint64_t refused() const { return guard_.refused(); }
  const PeerEngine& engine() const { return engine_; }
  PeerEngine& engine() { return engine_; }
  // Feeds the engine and carries out what it answers; for the runner's
  // other inputs (tracker replies, rate changes).
  void run(Actions actions);

 private:
  struct Link {
    std::shared_ptr<Connection> conn;
    LinkKind kind;
    std::string address;  // AcceptGuard key of an accepted link, else empty
  };

  void dial(const Endpoint& to, LinkKind kind);
  void redial_source_later();
  void on_accepted(boost::asio::ip::tcp::socket socket);
  void on_connected(boost::asio::ip::tcp::socket socket, LinkKind kind, const Endpoint& remote,
                    std::string address = {});
  void on_message(ConnId id, const Message& m);
  void on_dial_failed(const Endpoint& to, LinkKind kind, const std::string& why);
  void on_closed(ConnId id, const std::string& reason);

  boost::asio::io_context& io_;
  ChannelUri uri_;
  PeerEngine engine_;
  PlayFn on_play_;
  std::unique_ptr<Listener> listener_;
  std::optional<boost::asio::ip::address> from_;  // dials leave from the listen host
  AcceptGuard guard_;
  boost::asio::system_timer wakeup_;
  boost::asio::steady_timer redial_;
  std::map<ConnId, Link> links_;
  bool source_banned_ = false;  // it sent a bad chunk
  PeerTraffic closed_traffic_;  // of links already gone
  uint64_t next_conn_ = 1;
  std::shared_ptr<UploadLimiter> limiter_;
  bool stopped_ = false;
};

}  // namespace shoal
