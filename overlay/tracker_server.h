#pragma once
// TrackerServer: the tracker over TCP, around a TrackerRegistry. A node
// connects, sends ANNOUNCE (it may announce again on the same connection),
// and gets PEERS, or ERROR with a reason. The announced address is the
// connection's remote IP with the announced listen port.
//
// It guards itself: at most `max_per_address` connections from one IP and
// `max_connections` in all (more are closed at once), a request rate per IP
// (beyond it: ERROR), and connections silent for `idle_timeout` are closed.
// A bad frame closes its connection only.
//
// Threading: everything on the io_context's thread.

#include <boost/asio.hpp>
#include <map>
#include <memory>

#include "overlay/connection.h"
#include "overlay/listener.h"
#include "overlay/token_bucket.h"
#include "overlay/tracker_registry.h"

namespace shoal {

struct TrackerLimits {
  size_t max_connections = 1024;
  size_t max_per_address = 64;
  double requests_per_second = 50;  // per IP address
  double request_burst = 100;
  std::chrono::milliseconds idle_timeout{10'000};
};

struct TrackerStats {
  uint64_t announces = 0;
  uint64_t errors = 0;   // ERROR replies
  uint64_t refused = 0;  // connections closed by the limits
  size_t channels = 0;
  size_t connections = 0;
};

class TrackerServer {
 public:
  TrackerServer(boost::asio::io_context& io, TrackerConfig config, TrackerLimits limits,
                uint64_t seed);
  TrackerServer(const TrackerServer&) = delete;
  TrackerServer& operator=(const TrackerServer&) = delete;

  void serve(std::unique_ptr<Listener> listener);
  void stop();
  TrackerStats stats() const;

 private:
  struct Session {
    std::shared_ptr<Connection> conn;
    std::string address;  // remote IP
    std::chrono::steady_clock::time_point last_heard;
  };

  void on_accepted(boost::asio::ip::tcp::socket socket);
  void on_message(uint64_t id, const Message& m);
  void on_closed(uint64_t id);
  void sweep();

  boost::asio::io_context& io_;
  TrackerConfig config_;
  TrackerLimits limits_;
  TrackerRegistry registry_;
  std::unique_ptr<Listener> listener_;
  boost::asio::steady_timer sweeper_;
  std::map<uint64_t, Session> sessions_;
  std::map<std::string, size_t> per_address_;
  std::map<std::string, TokenBucket> request_budget_;
  TrackerStats stats_;
  uint64_t next_id_ = 1;
};

}  // namespace shoal
