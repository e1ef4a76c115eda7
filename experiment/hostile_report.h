#pragma once
// How the honest viewers of a swarm dealt with its hostile ones (`--hostile
// K --hostile-kind KIND`), from the viewers' own stats JSON: each hostile
// viewer lists the viewers it offended and when first ("offended"), each
// viewer those it dropped for an offence and when ("offenders"). Part of
// the swarm report (experiment/report.h).
//
// A pair is a hostile viewer and an honest one it offended. Its delay is
// from the offence (as the hostile one did it, or as the honest one first
// saw a sign of it, whichever came first) to the drop; channel time, as both
// read the source's clock. Figures:
// - pairs, dropped, dropped_within_10s, delay_s_p50/max: over the pairs;
// - pairs_leaving: pairs left out of those, offended less than 10 s before
//   the honest one began to leave (left_ms) and not dropped;
// - offences: honest viewers' drops by offence, hostile or not;
// - honest_dropped: drops of honest viewers by honest ones (false alarms).

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

namespace shoal::experiment {

struct ReportViewer;

nlohmann::json hostile_report(const std::vector<ReportViewer>& viewers);
void print_hostile_report(const nlohmann::json& h, std::ostream& out);

}  // namespace shoal::experiment
