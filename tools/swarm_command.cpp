// `shoal swarm`: a whole live broadcast on loopback (tracker, source, N
// peers, each a real process with its own upload limit) and the report of
// what the peers took off the source: source copies, offload, continuity,
// startup, lag and control overhead. `--mode client-server` runs the same
// harness with every peer fetching from the source only: the baseline.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "experiment/process_swarm.h"
#include "experiment/report.h"
#include "tools/experiment_options.h"
#include "tools/experiment_output.h"
#include "tools/progress_line.h"

namespace shoal::cli {
namespace {

// Every viewer is a process on this machine.
constexpr int kMaxPeers = 500;

// Runs `plan` as processes with their logs and stats in `dir`, drawing a
// progress line meanwhile.
Result<nlohmann::json> run_swarm(const experiment::Plan& plan, const std::string& dir) {
  const experiment::ExperimentOptions& o = plan.options;
  std::cout << "Swarm of " << o.peers << " peers (" << o.mode << ") on " << o.input << " for "
            << o.duration << " s; logs in " << dir << std::endl;
  std::chrono::microseconds total{0};
  for (const auto& v : plan.viewers) total = std::max(total, v.join + v.watch);
  // The run blocks this thread: another one draws the progress line.
  std::atomic<bool> running = true;
  std::thread progress([&] {
    ProgressLine line("swarm");
    const auto began = std::chrono::steady_clock::now();
    while (running) {
      line.show(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(),
                std::chrono::duration<double>(total).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  auto report = experiment::ProcessSwarm(plan, dir, std::cout).run();
  running = false;
  progress.join();
  return report;
}

}  // namespace

int swarm_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal swarm [--peers N] [--duration S] [options]";
  cmd.description =
      "Runs a whole live broadcast on this machine: a tracker, a source and N viewers, each\n"
      "its own process with its own upload limit, then reports how much of the load the\n"
      "viewers took off the source (source copies, offload), continuity, startup delay,\n"
      "lag and control overhead. --mode client-server runs the same with every viewer\n"
      "fetching from the source only, the baseline to compare with. --plot draws the run;\n"
      "--sweep 10,30 runs it for each N, p2p and client-server, and draws them side by side.";
  experiment::ExperimentOptions o;
  ExperimentOutput output;
  std::string dir;
  o.latency_ms = "0";  // loopback as it is; each process can add a delay
  add_experiment_options(cmd, o);
  cmd.options.add_options()("input", po::value(&o.input)->default_value(o.input),
                            "what the source broadcasts: testsrc, a media file (looped) or a URL")(
      "decoders", po::value(&o.decoders)->default_value(8),
      "how many of the viewers decode the video; the rest verify and play out every chunk "
      "on time without decoding it, as one machine cannot decode for dozens of viewers")(
      "dir", po::value(&dir), "where to keep logs and stats (default: a fresh temp dir)");
  add_output_options(cmd, output);
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  // A sweep validates each of its runs.
  if (const auto valid = experiment::validate(o, kMaxPeers); !valid && output.sweep.empty()) {
    std::cerr << "shoal swarm: " << valid.error() << "\n";
    return 2;
  }
  if (const auto latency = experiment::parse_latency(o.latency_ms);
      latency && latency->min_ms != latency->max_ms) {
    std::cerr << "shoal swarm: --latency-ms takes one value here (a range is for shoal simulate)\n";
    return 2;
  }
  if (dir.empty()) {
    dir = (std::filesystem::temp_directory_path() / ("shoal-swarm-" + std::to_string(::getpid())))
              .string();
  }
  const std::string title = figure_title("shoal swarm", args);
  if (!output.sweep.empty()) {
    return run_sweep("shoal swarm", o, kMaxPeers, vm, output, title,
                     [&](const experiment::ExperimentOptions& run) {
                       return run_swarm(experiment::make_plan(run),
                                        dir + "/" + std::to_string(run.peers) + "-" + run.mode);
                     });
  }
  auto report = run_swarm(experiment::make_plan(o), dir);
  if (!report) {
    std::cerr << "shoal swarm: " << report.error() << "\n";
    return 1;
  }
  experiment::print_swarm_report(*report, std::cout);
  return write_run(*report, output, title);
}

}  // namespace shoal::cli
