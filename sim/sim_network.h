#pragma once
// The simulated loopback network: listening addresses, dials, and framed
// connections that behave as overlay/connection.h does.
//
// SimConnection is one end of a connection. Writes: control frames (every
// message but CHUNK) go out first, in order, and are only charged to the
// node's uplink; CHUNK frames go out in order after each has waited for the
// uplink's tokens; one write at a time, completing in an event of its own
// (as an Asio write completes later, never inside send). on_chunk_sent is
// called when a CHUNK frame's write completes. Every frame is encoded with
// the real codec for its size; it reaches the other end `latency` after its
// write starts, in order. Traffic counts frame bytes as Connection does:
// sent when queued, received when handed to the handler. close() flushes
// what is queued, then shuts; the other end then sees the connection close
// after `latency`, behind the data. After close() arriving messages are
// dropped uncounted.
//
// Lifetime: the owner keeps a shared_ptr; pending events keep an end alive.
// on_closed is called exactly once, unless kill() came first.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "overlay/net/connection.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/messages.h"
#include "sim/event_queue.h"
#include "sim/sim_uplink.h"

namespace shoal::sim {

class SimConnection : public std::enable_shared_from_this<SimConnection> {
 public:
  using Handler = Connection::Handler;

  SimConnection(EventQueue& events, SimTime latency, Endpoint remote);
  SimConnection(const SimConnection&) = delete;
  SimConnection& operator=(const SimConnection&) = delete;

  // Set at once by whoever gets the new connection (before any message can
  // arrive, which takes one latency).
  void set_handler(Handler handler) { handler_ = std::move(handler); }
  // The node's uplink, shared with its other connections; null: no limit.
  void set_uplink(SimUplink* uplink) { uplink_ = uplink; }

  void send(const Message& m);
  void close(const std::string& reason);
  // The process is gone: nothing is flushed and no callback runs; the other
  // end sees the connection close.
  void kill();

  const Endpoint& remote() const { return remote_; }
  const Traffic& traffic() const { return traffic_; }
  bool open() const { return !closing_; }

 private:
  friend class SimNetwork;
  struct Frame {
    std::shared_ptr<const Message> msg;
    size_t bytes = 0;
  };

  void pump();
  void write(std::deque<Frame>& queue, bool chunk);
  void on_written(bool chunk);
  void on_granted();
  void receive(const Frame& frame);
  void shut(const std::string& reason, bool notify);
  void tell_other_closed();

  EventQueue& events_;
  SimTime latency_;
  Endpoint remote_;
  std::weak_ptr<SimConnection> other_;
  Handler handler_;
  SimUplink* uplink_ = nullptr;
  std::deque<Frame> control_;
  std::deque<Frame> chunks_;
  bool writing_ = false;
  bool chunk_granted_ = false;  // chunks_.front() has its tokens
  SimUplink::Ticket wait_ = 0;  // the uplink wait for chunks_.front(); 0: none
  bool closing_ = false;
  bool closed_ = false;
  std::string close_reason_;
  Traffic traffic_;
};

class SimNetwork {
 public:
  using AcceptFn = std::function<void(std::shared_ptr<SimConnection>)>;
  using ConnectFn = std::function<void(std::shared_ptr<SimConnection>)>;
  using FailFn = std::function<void(const std::string& why)>;

  SimNetwork(EventQueue& events, SimTime latency) : events_(events), latency_(latency) {}
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // Accepts connections to `at` until unlisten(at).
  void listen(const Endpoint& at, AcceptFn on_accept);
  void unlisten(const Endpoint& at);

  // Connects from `from_host` (an ephemeral port) to `to`: after one latency
  // the accepting side gets its end, then the dialling side gets its own; or,
  // when nothing listens at `to` then, the dial is refused a latency later.
  void dial(const std::string& from_host, const Endpoint& to, ConnectFn on_connected,
            FailFn on_failed);

  SimTime latency() const { return latency_; }

 private:
  EventQueue& events_;
  SimTime latency_;
  std::map<std::string, AcceptFn> listening_;  // by "host:port"
  uint16_t next_port_ = 32768;
};

}  // namespace shoal::sim
