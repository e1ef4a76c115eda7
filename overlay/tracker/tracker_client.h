#pragma once
// TrackerClient: keeps a source or peer announced to a tracker. Each round
// connects, sends ANNOUNCE, hands the addresses of the PEERS reply to
// `on_peers` (unparsable ones skipped) and closes; the next round comes after
// the reply's `reannounce_s` (10 s if it gives none). A round that fails (no
// connection, no reply within 5 s, or ERROR) is logged as one line through
// log_line and retried after a backoff doubling from 1 s to 15 s; a reply
// resets it. Nothing is thrown: the node goes on with the peers it has.
//
// A connection per round, rather than one held open, keeps idle nodes from
// using the tracker's per-address connection slots and idle timeout.
//
// Threading: construct, call and destroy on the io_context's thread;
// on_peers is called there. It may be destroyed with operations pending:
// their handlers then do nothing.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "overlay/net/connection.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

class TrackerClient {
 public:
  using PeersFn = std::function<void(std::vector<Endpoint>)>;

  // Rounds connect from `from` when set (see dial.h).
  TrackerClient(boost::asio::io_context& io, Endpoint tracker, AnnounceMsg self, PeersFn on_peers,
                std::optional<boost::asio::ip::address> from = std::nullopt);
  ~TrackerClient();
  TrackerClient(const TrackerClient&) = delete;
  TrackerClient& operator=(const TrackerClient&) = delete;

  // Announces now, then keeps announcing until stop().
  void start();
  // Announces now instead of at the next scheduled time (e.g. when a node
  // runs short of neighbours); nothing if a round is already under way.
  void announce_now();
  // Abandons the round under way and schedules no other.
  void stop();
  // This node's IP as the tracker saw it last; "" before an answer.
  const std::string& seen_as() const { return seen_as_; }

 private:
  struct Round;  // one connect-announce-reply exchange

  void begin_round();
  void send_announce(Round& round, const std::weak_ptr<Round>& weak);  // once connected
  void on_reply(const Message& m);
  void fail(const std::string& what);
  void end_round();
  void schedule(std::chrono::seconds delay);
  // The round `weak` refers to, if it is still the current one.
  std::shared_ptr<Round> current(const std::weak_ptr<Round>& weak) const;

  boost::asio::io_context& io_;
  Endpoint tracker_;
  AnnounceMsg self_;
  PeersFn on_peers_;
  std::optional<boost::asio::ip::address> from_;
  std::string seen_as_;
  std::shared_ptr<Round> round_;                     // the round under way, if any
  std::shared_ptr<boost::asio::steady_timer> next_;  // the next round, if scheduled
  std::chrono::seconds backoff_{1};
  bool failing_ = false;  // the last round failed (logged when it recovers)
  bool stopped_ = false;
};

}  // namespace shoal
