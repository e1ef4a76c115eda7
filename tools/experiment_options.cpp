#include "tools/experiment_options.h"

namespace shoal::cli {

void add_experiment_options(Command& command, experiment::ExperimentOptions& o) {
  command.options.add_options()("peers", po::value(&o.peers)->default_value(o.peers),
                                "number of viewers")(
      "duration", po::value(&o.duration)->default_value(o.duration), "seconds each viewer watches")(
      "peer-upload", po::value(&o.peer_upload)->default_value(o.peer_upload),
      "viewers' upload limit: none, a bit rate (2M), a multiple of the stream rate (1.5x), or "
      "a range spread over the viewers (0.5x-3x)")(
      "source-upload", po::value(&o.source_upload)->default_value(o.source_upload),
      "the source's upload limit: none, a bit rate (8M) or a multiple of the stream rate (4x)")(
      "mode", po::value(&o.mode)->default_value(o.mode), "p2p or client-server")(
      "repair-share", po::value(&o.repair_share),
      "the source's --repair-share (default: the source's; none in client-server mode)")(
      "free-riders", po::value(&o.free_riders)->default_value(o.free_riders),
      "how many of the viewers upload nothing (the same ones in `shoal swarm` and "
      "`shoal simulate`)")("hostile", po::value(&o.hostile)->default_value(o.hostile),
                           "how many of the viewers misbehave, as --hostile-kind says (the same "
                           "ones in `shoal swarm` and `shoal simulate`)")(
      "hostile-kind", po::value(&o.hostile_kind)->default_value(o.hostile_kind),
      "how the hostile viewers misbehave: forge (bad pieces), liar (advertise chunks, never "
      "send), slow (accept requests, trickle), flood (request and reconnect storms), garbage "
      "(malformed messages) or sybil (unreachable addresses to PEX, the tracker and the DHT)")(
      "join-spread", po::value(&o.join_spread)->default_value(o.join_spread),
                           "seconds over which the viewers join")(
      "warmup", po::value(&o.warmup)->default_value(o.warmup),
      "seconds the broadcast runs before the first viewer joins")(
      "lag-ms", po::value(&o.lag_ms)->default_value(o.lag_ms), "viewers' playback lag, ms")(
      "chunk-ms", po::value(&o.chunk_ms)->default_value(o.chunk_ms),
      "the source's target chunk duration, ms")(
      "churn", po::value(&o.churn)->default_value(o.churn),
      "fraction of the viewers killed at once (SIGKILL) at --churn-at and replaced by as many "
      "newcomers")("churn-at", po::value(&o.churn_at)->default_value(o.churn_at),
                   "seconds after the last join when the churn happens (default: mid-run)")(
      "latency-ms", po::value(&o.latency_ms)->default_value(o.latency_ms),
      "one-way latency of every link, ms: L, or (shoal simulate) MIN-MAX, each link then "
      "between MIN and MAX by where its two ends are (docs/architecture.md)");
}

}  // namespace shoal::cli
