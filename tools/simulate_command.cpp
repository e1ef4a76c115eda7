// `shoal simulate`: the experiment of `shoal swarm` in simulated time. The
// real source and peer engines run over a simulated loopback network in one
// process, deterministic for a seed, and the same report comes out, plus
// the arrival times and the peers' upload as diagnostics.
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "experiment/report.h"
#include "sim/simulation.h"
#include "tools/experiment_options.h"
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

int run(const experiment::Plan& plan, const std::string& json_path) {
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
  if (!result) return fail(result.error());
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
  report["wall_s"] = wall.count();
  report["events"] = result->events;
  report["peak_rss_mb"] = peak_rss_mb();
  experiment::print_swarm_report(report, std::cout);
  std::cout << "simulated " << std::chrono::duration<double>(result->simulated).count() << " s in "
            << wall.count() << " s: " << result->events << " events, "
            << static_cast<uint64_t>(static_cast<double>(result->events) / wall.count())
            << " events/s, peak RSS " << peak_rss_mb() << " MB\n";
  if (!json_path.empty()) write_json_file(json_path, report);
  return 0;
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
      "(startup is join to the first chunk played) and socket buffers.";
  experiment::ExperimentOptions o;
  std::string json_path;
  add_experiment_options(cmd, o);
  cmd.options.add_options()("stream-kbps", po::value(&o.stream_kbps)->default_value(o.stream_kbps),
                            "the stream's mean bit rate, kbit/s (chunk sizes vary by up to 10%)")(
      "peer-download", po::value(&o.peer_download)->default_value(o.peer_download),
      "viewers' download capacity: none, a bit rate (8M), a multiple of the stream rate (3x), "
      "or a range spread over the viewers (2x-6x)")(
      "seed", po::value(&o.seed)->default_value(o.seed),
      "seed of every random choice; the same seed gives the same run")(
      "json", po::value(&json_path), "write the report as JSON to this file");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (const auto valid = experiment::validate(o, kMaxPeers); !valid) return fail(valid.error());
  return run(experiment::make_plan(o), json_path);
}

}  // namespace shoal::cli
