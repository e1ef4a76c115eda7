#pragma once
// The swarm report: what `shoal swarm` (real processes) and `shoal simulate`
// (simulated time) both print and write as JSON, computed in one place so
// that the two cannot drift. Inputs are the plan that was run and the nodes'
// own stats JSON (a peer's PeerReport::to_json, the source's stats), as the
// nodes write them.
//
// Figures (null where undefined): source_copies = source upload / one copy
// of everything published; offload = 1 - source upload / bytes delivered to
// peers; continuity = chunks on time / chunks due over all peers (also over
// contributors and free riders, and with churn survivors and joiners);
// startup p50/p95 over the peers; lag p50 = median of the peers' p50s, p95 =
// 95th percentile of their p95s; control overhead = non-chunk bytes / chunk
// bytes; decoders = how many viewers ran a real decoder. With hostile
// viewers, continuity_honest is over the others, and `hostile` says how they
// were dealt with (experiment/hostile_report.h).

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "experiment/plan.h"

namespace shoal::experiment {

struct ReportViewer {
  std::string upload;  // its upload limit as written ("1.5x", "0", "none")
  bool free_rider = false;
  std::string hostile;  // how it misbehaves ("liar"), "" if honest
  bool killed = false;
  bool joiner = false;   // came in to replace a killed peer
  bool decodes = false;  // ran a real decoder (else played out undecoded)
  nlohmann::json stats;  // its stats JSON; null if it left none
};

struct ReportInput {
  int peers = 0;
  std::string mode;  // "p2p" or "client-server"
  double duration_s = 0;
  bool churn = false;     // adds continuity_survivors and continuity_joiners
  nlohmann::json source;  // the source's stats JSON (SourceStats::to_json)
  std::vector<ReportViewer> viewers;
};

// The report's input for `plan` as run: the source's stats, and one stats
// JSON per viewer of the plan, in its order (null for one that left none).
ReportInput report_input(const Plan& plan, nlohmann::json source,
                         std::vector<nlohmann::json> viewer_stats);

nlohmann::json swarm_report(const ReportInput& in);

// Diagnostics the simulation can give exactly: arrival_ms_p50/p95 over
// every chunk stored by every peer (`arrival_ms`, pooled), and
// peer_upload_ratio = mean bytes uploaded per peer / the stream's bytes over
// the time each watched. Added to `report`.
void add_diagnostics(nlohmann::json& report, const std::vector<int64_t>& arrival_ms);

// The per-peer table (up to 200 viewers; beyond, only the JSON report has
// it) and the summary; diagnostics too if the report has them.
void print_swarm_report(const nlohmann::json& report, std::ostream& out);

}  // namespace shoal::experiment
