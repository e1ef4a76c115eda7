#pragma once
// SimNetwork: the simulated network the nodes of a simulation meet on:
// listening addresses, dials, and connections whose frames arrive one latency
// after they are written, in order. The latency of a link is the
// LatencyModel's between its two hosts. Each node sees the network through
// its own SimTransport.
//
// A dial from a node reaches the listener after one latency: the accepting
// node gets its end, then the dialling one gets its own; or, if nothing
// listens there then, the dial is refused a latency later.
//
// Lifetime: the EventQueue outlives it, and it the transports.

#include <map>
#include <string>

#include "overlay/wire/endpoint.h"
#include "sim/event_queue.h"
#include "sim/latency_model.h"

namespace shoal::sim {

class SimTransport;

class SimNetwork {
 public:
  SimNetwork(EventQueue& events, LatencyModel latency) : events_(events), latency_(latency) {}
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // Connections to `at` go to `node` until unlisten(at).
  void listen(const Endpoint& at, SimTransport& node);
  void unlisten(const Endpoint& at);
  // `from` dials `to`, leaving from its host on an ephemeral port.
  void dial(SimTransport& from, const Endpoint& to);

  EventQueue& events() { return events_; }
  // One way, between two hosts.
  SimTime latency(std::string_view a, std::string_view b) const { return latency_.between(a, b); }

 private:
  EventQueue& events_;
  LatencyModel latency_;
  std::map<std::string, SimTransport*> listening_;  // by "host:port"
  uint16_t next_port_ = 32768;
};

}  // namespace shoal::sim
