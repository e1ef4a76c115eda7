#pragma once
// SimTransport: the Transport of one simulated node, over a SimNetwork and
// the simulation's EventQueue. Frames are not encoded: the message itself
// reaches the other end one latency after its write starts, and its size is
// the real codec's (frame_size). A write completes in an event of its own,
// as an Asio write completes later, never inside write(). A closed
// connection's other end sees it close one latency later, behind the data.
//
// Clocks: SimTime (microseconds) is the simulation's; the engines see whole
// milliseconds of WallTime rounded down, as from a real clock, and the
// monotonic clock reads SimTime exactly (plus an offset, as a steady clock
// never reads zero). Timers fire at their time rounded up to a microsecond.
//
// Lifetime: the SimNetwork and the EventQueue outlive it; so must it every
// event it schedules (the Simulation keeps every node to the end).

#include <map>
#include <memory>
#include <optional>

#include "overlay/transport/transport.h"
#include "sim/event_queue.h"
#include "sim/sim_network.h"

namespace shoal::sim {

class SimTransport : public Transport {
 public:
  // `at`: where the node accepts connections (port 0: nowhere), and the
  // host its dials leave from. `download`: its downlink in bytes/s (none:
  // unlimited). A frame crosses the downlink while its sender sends it, so
  // it comes after its latency as before, unless the frames before it still
  // fill the downlink: then it waits its turn at the downlink's rate.
  SimTransport(SimNetwork& network, Endpoint at, std::optional<double> download = std::nullopt);
  SimTransport(const SimTransport&) = delete;
  SimTransport& operator=(const SimTransport&) = delete;

  // The process is gone: every connection closes under the node, which is
  // told nothing more, its timers never fire and its dials go nowhere; the
  // other ends see the connections close.
  void kill();
  const Endpoint& address() const { return at_; }

  // Transport: connections over the network...
  void attach(LinkEvents& node) override { node_ = &node; }
  void dial(const Endpoint& to) override;
  void write(ConnId conn, const Frame& frame) override;
  void close(ConnId conn) override;
  void start_accepting() override;
  void stop_accepting() override;
  // ... and time from the event queue.
  WallTime wall_now() const override { return queue_.wall_now(); }
  MonoTime mono_now() const override;
  std::unique_ptr<Timer> timer() override;
  void log(std::string_view) override {}

 private:
  friend class SimNetwork;
  // One end of a connection: where its frames go.
  struct End {
    SimTransport* other = nullptr;
    ConnId other_conn;
    SimTime latency{0};  // one way
  };

  // A new end towards `other`'s `other_conn`; its id here.
  ConnId add_end(SimTransport& other, ConnId other_conn, SimTime latency);
  // A frame reaches this node's downlink; it is received once through it.
  void arrive(ConnId conn, const Frame& frame);
  void receive(ConnId conn, const Frame& frame);
  // The other end closed.
  void remote_closed(ConnId conn);
  // Closes `conn` here and tells the other end a latency later.
  void shut(ConnId conn);

  SimNetwork& network_;
  EventQueue& queue_;
  Endpoint at_;
  LinkEvents* node_ = nullptr;
  std::optional<double> download_;
  SimTime downlink_free_{0};  // when the downlink has passed every frame that arrived
  std::map<ConnId, End> ends_;  // open ones
  uint64_t next_conn_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::sim
