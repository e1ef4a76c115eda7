#pragma once
// SimPeer: peer/peer_node.h plus the rest of `shoal peer` in the simulation.
// It runs a real PeerEngine: dials the source first, then the peers the
// engine asks for, accepts neighbours at its address, announces to the
// tracker (not in client-server mode), carries out the engine's actions over
// SimConnections that share one SimUplink, and keeps one wake-up armed at
// the engine's next_wakeup() after every call, as PeerNode::run does, and
// sets the uplink to the engine's upload_capacity() as it does. A lost or
// refused source is dialled again a second later.
//
// Leaving (stop) says BYE to every neighbour and closes; the process ends
// kExitDelay later, dropping whatever was still queued.
//
// Lifetime: the EventQueue, SimNetwork and SimTracker outlive it; so must it
// every event it schedules (the Simulation keeps it to the end).

#include <map>
#include <memory>
#include <optional>

#include "peer/engine.h"
#include "peer/peer_node.h"
#include "peer/peer_report.h"
#include "sim/sim_network.h"
#include "sim/sim_tracker.h"
#include "sim/sim_uplink.h"

namespace shoal::sim {

class SimPeer {
 public:
  // How long `shoal peer` lingers after its BYEs before the process exits.
  static constexpr std::chrono::milliseconds kExitDelay{300};

  // `at` is where it accepts neighbours (port 0: it accepts none) and the
  // host its dials leave from.
  SimPeer(EventQueue& events, SimNetwork& network, SimTracker& tracker, PeerConfig config,
          Endpoint at);
  SimPeer(const SimPeer&) = delete;
  SimPeer& operator=(const SimPeer&) = delete;

  void start();
  void stop();

  // Its stats as `shoal peer --stats-json` writes them; startup is join to
  // the first chunk played (nothing is decoded here).
  PeerReport report() const;
  const PeerEngine& engine() const { return engine_; }

 private:
  struct Link {
    std::shared_ptr<SimConnection> conn;
    LinkKind kind;
  };

  void dial(const Endpoint& to, LinkKind kind);
  void redial_source_later();
  void on_connected(std::shared_ptr<SimConnection> conn, LinkKind kind, const Endpoint& remote);
  void on_closed(ConnId id);
  void run(Actions actions);
  void exit();
  PeerTraffic traffic() const;

  EventQueue& events_;
  SimNetwork& network_;
  SimTracker& tracker_;
  PeerConfig config_;
  PeerEngine engine_;
  Endpoint at_;
  SimUplink uplink_;
  std::map<ConnId, Link> links_;
  PeerTraffic closed_traffic_;  // of links already gone
  uint64_t next_conn_ = 1;
  uint64_t wakeup_ = 0;  // the armed wake-up's generation; older ones do nothing
  bool source_banned_ = false;
  bool stopped_ = false;
  WallTime joined_{};
  std::optional<WallTime> first_play_;
};

}  // namespace shoal::sim
