#pragma once
// TrackerServer: the tracker over TCP (docs/protocol.md, "Tracker"), around a
// TrackerRegistry. A node connects and sends ANNOUNCE, possibly several on
// one connection, and gets PEERS (up to `max_reply` random other live nodes
// of its channel, and when to announce again) or ERROR with a reason. The
// announced address is the connection's remote IP with the announced
// listen_port.
//
// It guards itself with AddressLimits: a connection beyond the per-address or
// total cap is closed at once; a request beyond its address's rate gets ERROR
// "too many requests", and a second one closes the connection. A connection
// that sends anything but ANNOUNCE, a bad frame or nothing for `idle_timeout`
// is closed; the others are served on.
//
// Threading: construct, call and destroy on the io_context's thread. It may
// be destroyed with operations pending: their handlers then do nothing.

#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "media/result.h"
#include "overlay/limits/accept_guard.h"
#include "overlay/net/connection.h"
#include "overlay/net/listener.h"
#include "overlay/tracker/tracker_registry.h"

namespace shoal {

struct TrackerServerConfig {
  TrackerConfig registry;  // ttl, max_reply, size caps
  AddressLimitsConfig limits;
  std::chrono::milliseconds idle_timeout{10'000};
  // How often idle connections are closed and stale announces expire.
  std::chrono::milliseconds sweep_interval{1'000};
  uint64_t seed = 0;  // for the random choice of peers in replies
};

struct TrackerStats {
  uint64_t announces = 0;  // answered with PEERS
  uint64_t errors = 0;     // ERROR replies
  uint64_t refused = 0;    // connections closed at once by the limits
  size_t channels = 0;     // now in the registry
  size_t peers = 0;        // now in the registry, all channels
  size_t connections = 0;  // now open
};

class TrackerServer {
 public:
  TrackerServer(boost::asio::io_context& io, TrackerServerConfig config);
  ~TrackerServer();
  TrackerServer(const TrackerServer&) = delete;
  TrackerServer& operator=(const TrackerServer&) = delete;

  // Starts accepting on `at` (port 0: any free port); the bound address, or
  // why it could not bind. Call once.
  Result<Endpoint> listen(const Endpoint& at);
  // Stops accepting and closes every connection; io_context::run() then
  // returns once nothing else is pending.
  void stop();
  TrackerStats stats() const;

 private:
  struct Session {
    std::shared_ptr<Connection> conn;
    std::string address;  // remote IP
    std::chrono::steady_clock::time_point last_heard;
    bool warned = false;  // already told "too many requests"
  };

  void on_accepted(boost::asio::ip::tcp::socket socket);
  void on_message(uint64_t id, const Message& m);
  void on_closed(uint64_t id);
  // PEERS for a valid ANNOUNCE, else the reason for ERROR.
  Result<PeersMsg> answer(const Session& s, const AnnounceMsg& announce);
  void reply_error(Session& s, const std::string& reason, bool close);
  void sweep();

  boost::asio::io_context& io_;
  TrackerServerConfig config_;
  TrackerRegistry registry_;
  AcceptGuard guard_;
  std::unique_ptr<Listener> listener_;
  boost::asio::steady_timer sweeper_;
  std::map<uint64_t, Session> sessions_;
  std::set<ChannelId> channels_;  // announced to; pruned once empty
  TrackerStats stats_;
  uint64_t next_id_ = 1;
  bool stopped_ = false;
  // Handlers hold a weak_ptr to this and do nothing once it is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal
