#pragma once
// What `shoal swarm` and `shoal simulate` do with their results, alike:
// --json (the report), --plot (the report's figure, experiment/plot.h) and
// --sweep (the experiment for each N, p2p and client-server, a table and
// the sweep's figure). Each command runs one experiment its own way; these
// write what it gave.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/options.h"
#include "media/result.h"
#include "tools/cli.h"

namespace shoal::cli {

struct ExperimentOutput {
  std::string json_path;
  std::string plot_path;
  std::string sweep;  // "10,30,100"; empty: one run
};

void add_output_options(Command& command, ExperimentOutput& output);

// Writes one run's `report` where `output` asks (--json, --plot), the
// figure headed `title`. The exit code: 0, or 1 if the figure could not be
// written.
int write_run(const nlohmann::json& report, const ExperimentOutput& output,
              const std::string& title);

// One experiment with these options: its report (swarm_report), or why not.
using RunExperiment =
    std::function<Result<nlohmann::json>(const experiment::ExperimentOptions& options)>;

// The sweep of `output.sweep` over `base` (which sets everything but
// --peers and --mode, and which must not set those: `vm` says), each run by
// `run`; says which run is under way, prints the table, writes the figure to --plot
// (default sweep.svg) headed `title`, and the reports as a JSON list to
// --json. `command` names the command in errors. The exit code: 2 for bad
// options, 1 if a run or a write failed, else 0.
int run_sweep(const std::string& command, const experiment::ExperimentOptions& base, int max_peers,
              const po::variables_map& vm, const ExperimentOutput& output, const std::string& title,
              const RunExperiment& run);

// The title of a figure: the command line, as given.
std::string figure_title(const std::string& command, const std::vector<std::string>& args);

}  // namespace shoal::cli
