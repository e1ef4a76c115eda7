#pragma once
// ExperimentOptions: what an experiment is asked to be, as `shoal swarm`
// (real processes) and `shoal simulate` (simulated time) read it from their
// command lines, and validate(), which holds both commands to the same
// limits. Quantities are as users write them ("1.5x", "0.5x-3x", "none");
// the plan (plan.h) parses them. The defaults are the commands' defaults.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "media/result.h"

namespace shoal::experiment {

struct ExperimentOptions {
  int peers = 8;                     // viewers
  double duration = 30;              // seconds each viewer watches
  std::string peer_upload = "none";  // one upload limit for all, or a range: "0.5x-3x"
  std::string source_upload = "none";
  std::string mode = "p2p";  // or "client-server": every viewer fetches from the source only
  std::string repair_share;  // empty: the source's default; none in client-server mode
  int free_riders = 0;       // viewers that upload nothing
  int hostile = 0;           // viewers that misbehave (peer/hostility.h), as:
  std::string hostile_kind = "liar";
  double join_spread = 2;    // seconds over which the viewers join
  double warmup = 4;         // seconds the broadcast runs before the first viewer joins
  int lag_ms = 3000;         // the viewers' playback lag
  int chunk_ms = 500;        // the source's target chunk duration
  double churn = 0;          // share of the viewers killed at once, replaced by as many
  double churn_at = 0;       // seconds after the last join; 0: mid-run (duration / 2)
  // One-way latency of every link, ms: "L", or "MIN-MAX" spread by the
  // simulation's latency model (sim/latency_model.h). `shoal swarm` takes
  // one value and emulates it in each process; its default is 0.
  std::string latency_ms = "1";

  // Only `shoal swarm` (real processes) uses these.
  std::string input = "testsrc";  // what the source broadcasts: testsrc, a file or a URL
  int decoders = 0;               // viewers that decode (the command's default is 8)

  // Only `shoal simulate` uses these.
  double stream_kbps = 1280;  // the synthetic stream's mean rate
  // Viewers' download capacity, written as --peer-upload is: one for all
  // ("none", "8M", "3x") or a range ("2x-6x").
  std::string peer_download = "none";
  uint64_t seed = 1;          // of every random choice in the run

  bool operator==(const ExperimentOptions&) const = default;
};

// Whether `options` make an experiment of at most `max_peers` viewers: the
// first problem found, named by its command-line option, or nothing.
Result<std::monostate> validate(const ExperimentOptions& options, int max_peers);

// The upload limit of each of `peers` viewers, as written, from
// --peer-upload `dist`: one limit for all ("1.5x", "2M", "none"), or
// "LOx-HIx" spread evenly over them in join order (one viewer: the middle).
Result<std::vector<std::string>> upload_limits(const std::string& dist, int peers);

// One-way link latency as --latency-ms gives it: "L" (min == max) or "MIN-MAX".
struct LatencyRange {
  double min_ms = 0;
  double max_ms = 0;
  bool operator==(const LatencyRange&) const = default;
};
Result<LatencyRange> parse_latency(const std::string& text);

}  // namespace shoal::experiment
