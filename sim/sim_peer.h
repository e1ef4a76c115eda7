#pragma once
// SimPeer: `shoal peer` in the simulation: the PeerRunner on a SimTransport,
// plus what the command does around it: announce to the tracker (not in
// client-server mode; a sybil announces false addresses too) and, on leaving, hand its children over for
// PeerRunner::kHandOver, then exit kExitDelay after the BYEs, dropping
// whatever was still queued.
//
// Lifetime: the EventQueue, SimNetwork and SimTracker outlive it; so must it
// every event it schedules (the Simulation keeps it to the end).

#include <chrono>
#include <optional>

#include "peer/peer_runner.h"
#include "sim/sim_tracker.h"
#include "sim/sim_transport.h"

namespace shoal::sim {

class SimPeer {
 public:
  // How long `shoal peer` lingers after its BYEs before the process exits.
  static constexpr std::chrono::milliseconds kExitDelay{300};

  // `at`: where it accepts neighbours (port 0: nowhere) and the host its
  // dials leave from; `download`: its downlink, bytes/s (none: unlimited).
  SimPeer(SimNetwork& network, SimTracker& tracker, const PeerOptions& options, Endpoint at,
          std::optional<double> download = std::nullopt);
  SimPeer(const SimPeer&) = delete;
  SimPeer& operator=(const SimPeer&) = delete;

  void start();
  // Leaves as `shoal peer` does at the end: BYEs, then exit.
  void stop();
  // SIGKILL: gone at once, nothing said; its report is what it had then.
  void kill();

  // Its stats as `shoal peer --stats-json` writes them; startup is join to
  // the first chunk played (nothing is decoded here).
  PeerReport report() const;
  const PeerEngine& engine() const { return runner_.engine(); }

 private:
  EventQueue& events_;
  SimTracker& tracker_;
  PeerOptions options_;
  SimTransport transport_;
  PeerRunner runner_;
  bool stopped_ = false;
};

}  // namespace shoal::sim
