#pragma once
// A whole swarm in simulated time, in one process: the experiment of
// `shoal swarm` (a tracker, a source and N viewers on loopback, each with its
// own upload limit), run with the real sans-IO engines over a simulated
// network, deterministic for a seed, and far faster than real time.
//
// What is modelled as the real runners do it (see sim_*.h): the uplinks
// (token bucket, control frames first, chunks FIFO across connections),
// frame sizes from the real codec, dials, BYEs and closes, the tracker's
// rounds, the once-a-second relative upload limits, the peers' wake-ups.
// What is not: CPU time (every node answers at once), decoding (startup is
// join to the first chunk played), the per-address limits, and loopback's
// own bandwidth (only the upload limits hold traffic back).
//
// The timeline is `shoal swarm`'s: the broadcast runs `warmup`, then the
// peers join `join_spread / peers` apart, each watches `duration` and
// leaves; the source stops when the last peer's process has ended.

#include <chrono>
#include <cstdint>
#include <vector>

#include "media/result.h"
#include "overlay/limits/upload_limit.h"
#include "peer/peer_report.h"
#include "sim/event_queue.h"
#include "source/source_engine.h"
#include "source/source_stats.h"

namespace shoal::sim {

struct SimConfig {
  // One upload limit per peer, in join order; its size is the number of
  // peers. A free rider has a fixed limit of 0.
  std::vector<UploadLimit> peer_upload;
  UploadLimit source_upload;  // none by default
  std::optional<double> repair_share = SourceConfig{}.repair_share;
  bool client_server = false;                  // every peer fetches from the source only
  std::chrono::milliseconds duration{30'000};  // each peer watches this long
  std::chrono::milliseconds warmup{4000};
  std::chrono::milliseconds join_spread{2000};
  std::chrono::milliseconds lag{3000};
  std::chrono::milliseconds chunk{500};
  double stream_kbps = 1280;
  SimTime latency{1000};  // one way, every link
  uint64_t seed = 1;
};

struct SimResult {
  SourceStats source;
  std::vector<PeerReport> peers;  // in join order
  SimTime simulated{0};           // simulated time covered
  uint64_t events = 0;            // events run
};

// Runs the swarm to its end. An error (before anything runs) if the config
// makes no sense: no peers, a non-positive duration, chunk or stream rate.
Result<SimResult> simulate(const SimConfig& config);

}  // namespace shoal::sim
