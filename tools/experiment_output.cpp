#include "tools/experiment_output.h"

#include <fstream>
#include <iostream>

#include "experiment/plot.h"
#include "experiment/sweep.h"

namespace shoal::cli {
namespace {

using Json = nlohmann::json;

bool write_figure(const std::string& path, const std::string& svg) {
  std::ofstream out(path, std::ios::binary);
  out << svg;
  out.close();
  if (!out) {
    std::cerr << "cannot write the figure to " << path << "\n";
    return false;
  }
  std::cout << "figure: " << path << "\n";
  return true;
}

}  // namespace

void add_output_options(Command& command, ExperimentOutput& output) {
  command.options.add_options()("json", po::value(&output.json_path),
                                "write the report as JSON to this file (with --sweep: a list of "
                                "the runs' reports)")(
      "plot", po::value(&output.plot_path),
      "draw the run as an SVG here: the source's upload against what viewers received per "
      "second, continuity per viewer, the startup and lag distributions (with --sweep: source "
      "copies and continuity against N, p2p and client-server side by side)")(
      "sweep", po::value(&output.sweep),
      "N1,N2,...: run the experiment for each number of viewers N, p2p and then "
      "client-server, the rest as the options say; print a table, and plot it to --plot "
      "(default sweep.svg). Replaces --peers and --mode");
}

int write_run(const Json& report, const ExperimentOutput& output, const std::string& title) {
  if (!output.json_path.empty()) write_json_file(output.json_path, report);
  if (output.plot_path.empty()) return 0;
  return write_figure(output.plot_path, experiment::swarm_figure(report, title)) ? 0 : 1;
}

int run_sweep(const std::string& command, const experiment::ExperimentOptions& base, int max_peers,
              const po::variables_map& vm, const ExperimentOutput& output, const std::string& title,
              const RunExperiment& run) {
  const auto fail = [&](const std::string& why, int code) {
    std::cerr << command << ": " << why << "\n";
    return code;
  };
  for (const char* replaced : {"peers", "mode"}) {
    if (vm.count(replaced) && !vm[replaced].defaulted()) {
      return fail(
          "--sweep sets --peers and --mode for each run; leave out --" + std::string(replaced), 2);
    }
  }
  const auto ns = experiment::parse_sweep(output.sweep, max_peers);
  if (!ns) return fail(ns.error(), 2);
  const std::vector<experiment::ExperimentOptions> runs = experiment::sweep_runs(base, *ns);
  for (const experiment::ExperimentOptions& o : runs) {
    if (const auto valid = experiment::validate(o, max_peers); !valid) {
      return fail("with --sweep N = " + std::to_string(o.peers) + ": " + valid.error(), 2);
    }
  }
  std::vector<Json> reports;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::cout << "\n[run " << i + 1 << " of " << runs.size() << "] " << std::flush;
    auto report = run(runs[i]);
    if (!report) return fail(report.error(), 1);
    reports.push_back(std::move(*report));
  }
  experiment::print_sweep_table(reports, std::cout);
  if (!output.json_path.empty()) write_json_file(output.json_path, Json(reports));
  const std::string plot = output.plot_path.empty() ? "sweep.svg" : output.plot_path;
  return write_figure(plot, experiment::sweep_figure(reports, title)) ? 0 : 1;
}

std::string figure_title(const std::string& command, const std::vector<std::string>& args) {
  std::string title = command;
  for (const std::string& a : args) title += " " + a;
  return title;
}

}  // namespace shoal::cli
