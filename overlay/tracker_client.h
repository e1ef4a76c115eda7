#pragma once
// TrackerClient: keeps a node announced to a tracker. It connects, sends
// ANNOUNCE, hands the peers of each PEERS reply to `on_peers`, and announces
// again when the reply says (re-using the connection, reconnecting if it
// dropped). A dead tracker is logged once per attempt, with a clear reason,
// and retried with a backoff doubling from 1 s to 15 s; the node goes on
// with the peers it has.
//
// Threading: everything on the io_context's thread.

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "overlay/connection.h"
#include "overlay/endpoint.h"

namespace shoal {

class TrackerClient {
 public:
  using PeersFn = std::function<void(std::vector<Endpoint>)>;

  TrackerClient(boost::asio::io_context& io, Endpoint tracker, AnnounceMsg self, PeersFn on_peers);
  TrackerClient(const TrackerClient&) = delete;
  TrackerClient& operator=(const TrackerClient&) = delete;

  void start();
  void stop();

 private:
  void connect();
  void announce();
  void on_message(const Message& m);
  void retry_later(const std::string& why);
  void announce_in(std::chrono::seconds delay);

  boost::asio::io_context& io_;
  Endpoint tracker_;
  AnnounceMsg self_;
  PeersFn on_peers_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Connection> conn_;
  std::chrono::seconds backoff_{1};
  bool timer_armed_ = false;  // an announce or a retry is scheduled
  bool stopped_ = false;
};

}  // namespace shoal
