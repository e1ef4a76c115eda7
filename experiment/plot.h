#pragma once
// The experiment figures that `shoal swarm` and `shoal simulate` write with
// --plot: SVG documents, drawn from swarm reports (report.h) alone, so a
// report written with --json can be drawn again the same.
//
// swarm_figure, one run, four panels: (a) the source's upload and what
// viewers received, kbit/s per second, with one copy of the stream for
// scale, from the source's history (SourceHistory, the report's
// source.history); (b) each viewer's continuity, in join order, coloured by
// role; (c) the distribution (CDF) of startup delay over the viewers, those
// that never started counted as not started; (d) the distribution of lag
// over the viewers, their p50s and their p95s.
//
// sweep_figure, a sweep over the number of viewers: source copies and
// continuity against N, p2p and client-server side by side.
//
// `title` heads the figure (the command line, say). Missing figures (null,
// absent, no viewers) leave a panel empty with a note, never a NaN.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace shoal::experiment {

std::string swarm_figure(const nlohmann::json& report, const std::string& title);

// `reports`: one per run, in any order; each run's `peers` and `mode` place it.
std::string sweep_figure(const std::vector<nlohmann::json>& reports, const std::string& title);

}  // namespace shoal::experiment
