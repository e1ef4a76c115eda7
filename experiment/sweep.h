#pragma once
// A sweep (--sweep N1,N2,...): the experiment run for each number of
// viewers N, once p2p and once client-server, the runs otherwise alike, so
// what the peers take off the source shows against its baseline as N grows.
// Sans IO: the list, the runs' options and the table; the commands run them.

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "experiment/options.h"
#include "media/result.h"

namespace shoal::experiment {

// The Ns of --sweep "10,30,100": each a whole number 1..max_peers, at least
// one, none twice; the first problem found, else the Ns in the order given.
Result<std::vector<int>> parse_sweep(const std::string& text, int max_peers);

// The runs of a sweep over `ns`: `base` with each N as --peers, p2p, then
// the same N client-server.
std::vector<ExperimentOptions> sweep_runs(const ExperimentOptions& base,
                                          const std::vector<int>& ns);

// A row per run (swarm_report): N, mode, source copies, offload, continuity,
// startup p50 and lag p95.
void print_sweep_table(const std::vector<nlohmann::json>& reports, std::ostream& out);

}  // namespace shoal::experiment
