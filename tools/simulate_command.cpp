// `shoal simulate`: the experiment of `shoal swarm` in simulated time. The
// real source and peer engines run over a simulated loopback network in one
// process, deterministic for a seed, and the same report comes out, plus
// the arrival times and the peers' upload as diagnostics. --plot draws the
// run, --sweep runs it for several N in both modes.
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "experiment/report.h"
#include "sim/simulation.h"
#include "tools/experiment_options.h"
#include "tools/experiment_output.h"
#include "tools/progress_line.h"

namespace shoal::cli {
namespace {

// One process holds every viewer: 10 000 take minutes and a few GB.
constexpr int kMaxPeers = 20000;

// The most memory this process has held, MB.
long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // Linux gives KB
}

int fail(const std::string& why) {
  std::cerr << "shoal simulate: " << why << "\n";
  return 2;
}

// Simulates `plan`: the report, with the diagnostics and what the run cost.
Result<nlohmann::json> run(const experiment::Plan& plan) {
  const experiment::ExperimentOptions& o = plan.options;
  std::cout << "Simulating " << o.peers << " peers (" << o.mode << ") for " << o.duration
            << " s, seed " << o.seed << std::endl;
  const auto started = std::chrono::steady_clock::now();
  std::optional<ProgressLine> line;
  line.emplace("simulated");
  auto result = sim::simulate(plan, [&](sim::SimTime now, sim::SimTime end) {
    line->show(std::chrono::duration<double>(now).count(), std::chrono::duration<double>(end).count());
  });
  line.reset();
  if (!result) return Error{result.error()};
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;

  std::vector<nlohmann::json> stats;
  std::vector<int64_t> arrival_ms;
  for (const PeerReport& p : result->peers) {
    stats.push_back(p.to_json());
    arrival_ms.insert(arrival_ms.end(), p.arrival_ms.begin(), p.arrival_ms.end());
  }
  nlohmann::json report = experiment::swarm_report(
      experiment::report_input(plan, result->source.to_json(), std::move(stats)));
  experiment::add_diagnostics(report, arrival_ms);
  report["seed"] = o.seed;
  report["latency_ms"] = o.latency_ms;
  report["simulated_s"] = std::chrono::duration<double>(result->simulated).count();
  report["wall_s"] = wall.count();
  report["events"] = result->events;
  report["peak_rss_mb"] = peak_rss_mb();
  return report;
}

void print_cost(const nlohmann::json& report) {
  const double wall = report["wall_s"].get<double>();
  const uint64_t events = report["events"].get<uint64_t>();
  std::cout << "simulated " << report["simulated_s"].get<double>() << " s in " << wall
            << " s: " << events << " events, "
            << static_cast<uint64_t>(static_cast<double>(events) / wall) << " events/s, peak RSS "
            << report["peak_rss_mb"] << " MB\n";
}

}  // namespace

int simulate_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal simulate [--peers N] [--duration S] [options]";
  cmd.description =
      "Runs the experiment of `shoal swarm` in simulated time: a source and N viewers, each\n"
      "with its own upload limit, running the very code of `shoal source` and `shoal peer`\n"
      "over a simulated network in this one process. Deterministic for a --seed; 1 000\n"
      "viewers for a minute take well under a minute, 10 000 a few. Each link has a one-way\n"
      "latency: --latency-ms L for all, or MIN-MAX, spread by where its two ends are (each\n"
      "host an access delay and a place on a ring; docs/architecture.md). It prints the same\n"
      "report as `shoal swarm` (source copies, offload, continuity, startup, lag, control\n"
      "overhead), plus when chunks arrived (capture to arrival, over every chunk every viewer\n"
      "stored), the viewers' mean upload as a multiple of the stream, and what the run cost\n"
      "(wall time, events per second, peak memory). Not modelled: CPU time, decoding\n"
      "(startup is join to the first chunk played) and socket buffers. --plot draws the run;\n"
      "--sweep 100,1000 runs it for each N, p2p and client-server, and draws them side by side.";
  experiment::ExperimentOptions o;
  ExperimentOutput output;
  add_experiment_options(cmd, o);
  cmd.options.add_options()("stream-kbps", po::value(&o.stream_kbps)->default_value(o.stream_kbps),
                            "the stream's mean bit rate, kbit/s (chunk sizes vary by up to 10%)")(
      "peer-download", po::value(&o.peer_download)->default_value(o.peer_download),
      "viewers' download capacity: none, a bit rate (8M), a multiple of the stream rate (3x), "
      "or a range spread over the viewers (2x-6x)")(
      "seed", po::value(&o.seed)->default_value(o.seed),
      "seed of every random choice; the same seed gives the same run");
  add_output_options(cmd, output);
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  const std::string title = figure_title("shoal simulate", args);
  if (!output.sweep.empty()) {
    // It validates each of its runs.
    return run_sweep("shoal simulate", o, kMaxPeers, vm, output, title,
                     [](const experiment::ExperimentOptions& run_options) {
                       return run(experiment::make_plan(run_options));
                     });
  }
  if (const auto valid = experiment::validate(o, kMaxPeers); !valid) return fail(valid.error());
  const auto report = run(experiment::make_plan(o));
  if (!report) return fail(report.error());
  experiment::print_swarm_report(*report, std::cout);
  print_cost(*report);
  return write_run(*report, output, title);
}

}  // namespace shoal::cli
