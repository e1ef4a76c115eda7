#pragma once
// The plan of an experiment: its timeline and its viewers, made from the
// options by one pure function, so that `shoal swarm` (real processes) and
// `shoal simulate` (simulated time) run the same experiment: the same
// viewers free-ride, join at the same times from the same hosts with the
// same upload limits, and, with churn, the same ones are killed.
//
// The timeline: the broadcast runs `warmup`, then the viewers join
// `join_spread / peers` apart, each watches `duration` and leaves. With
// churn, `churn_at` after the last join a share of the contributors is
// killed and as many joiners come in their place, with their upload limits,
// for the rest of `duration`. Times count from when the broadcast began.
//
// Sans IO: no clock, no sockets; the runners (ProcessSwarm, sim::simulate)
// carry the plan out.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "experiment/options.h"
#include "overlay/limits/upload_limit.h"
#include "peer/offence.h"

namespace shoal::experiment {

struct ViewerPlan {
  size_t index = 0;          // in join order; joiners come after the first `peers`
  std::string host;          // its own loopback address (viewer_host)
  std::string upload_label;  // its upload limit as written: "1.5x", "none"; "0" if a free rider
  UploadLimit upload;        // the same, parsed
  UploadLimit download;      // its downlink (only the simulation models it)
  bool free_rider = false;   // uploads nothing
  std::optional<Offence> hostile;  // misbehaves so (peer/hostility.h)
  bool decodes = false;      // runs a real decoder; else plays out on time, undecoded
  bool killed = false;       // killed outright (SIGKILL) at the churn
  std::optional<size_t> replaces;      // a joiner: the killed viewer whose place it takes
  std::chrono::microseconds join{0};   // since the broadcast began
  std::chrono::microseconds watch{0};  // from its join until it leaves

  bool joiner() const { return replaces.has_value(); }
};

// What the source is told.
struct SourcePlan {
  std::string upload_label;  // its upload limit as written
  UploadLimit upload;        // the same, parsed
  // Its --repair-share if not the source's default: as given, else none in
  // client-server mode, where the source is every viewer's only supplier.
  std::optional<std::string> repair_share_label;
  std::optional<double> repair_share;  // what the source then holds to
};

struct Plan {
  ExperimentOptions options;  // what the plan was made from
  bool client_server = false;
  SourcePlan source;
  std::vector<ViewerPlan> viewers;  // in join order, joiners last
  LatencyRange latency;             // one way, per link
  // With churn: when the killed viewers are killed and the joiners join.
  std::optional<std::chrono::microseconds> churn_at;
};

// The plan of `options`, which must have passed validate().
Plan make_plan(const ExperimentOptions& options);

// Each viewer on its own loopback address (127.0.1.1, 127.0.1.2, ...,
// 127.0.1.250, 127.0.2.1, ...), as on the Internet, so that the tracker and
// every node hold it to the same per-address limits as they would there.
std::string viewer_host(size_t index);

}  // namespace shoal::experiment
