#pragma once
// A whole swarm in simulated time, in one process: the experiment of
// `shoal swarm` (a tracker, a source and N viewers on loopback, each with its
// own upload limit), deterministic for a seed and far faster than real time.
//
// Each node is the very runner of `shoal peer` or `shoal source`
// (PeerRunner, SourceRunner) on a SimTransport, so everything above the
// transport is the real code: engines, send queues, uplinks, per-address
// limits, wake-ups, redials. The tracker's rounds are timed as TrackerClient
// makes them. What is not modelled: CPU time (every node answers at once),
// decoding (startup is join to the first chunk played), socket buffers and
// loopback's own bandwidth (only the upload limits hold traffic back).
//
// The experiment is a plan (experiment/plan.h), the same `shoal swarm`
// runs: who joins when, from which host, with which upload limit. The
// simulation adds what only it has: the synthetic stream's rate, the links'
// latency and the seed of every random choice (the plan's options). The
// source stops when the last viewer's process has ended.

#include <functional>
#include <cstdint>
#include <vector>

#include "experiment/plan.h"
#include "media/result.h"
#include "peer/peer_report.h"
#include "sim/event_queue.h"
#include "source/source_stats.h"

namespace shoal::sim {

struct SimResult {
  SourceStats source;
  std::vector<PeerReport> peers;  // in join order
  SimTime simulated{0};           // simulated time covered
  uint64_t events = 0;            // events run
};

// Runs `plan`, made from options that passed validate(), to its end, telling
// `progress` (if set) the simulated time reached, and the end, every
// simulated second. The same run for a seed, with a progress or without.
Result<SimResult> simulate(const experiment::Plan& plan,
                           const std::function<void(SimTime now, SimTime end)>& progress = {});

}  // namespace shoal::sim
