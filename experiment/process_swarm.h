#pragma once
// ProcessSwarm: an experiment's plan carried out by real processes on this
// machine (`shoal swarm`): a tracker, a source and every viewer of the plan,
// each a process of this executable on loopback, each viewer on its own host
// with its own upload limit. The viewers join at their planned times; at the
// churn the killed ones get SIGKILL and the joiners start. The report is
// made from the stats JSON each process writes.
//
// run() blocks for the whole experiment (warmup, join spread and duration,
// plus the processes' start and exit); it runs once. Logs and stats go to
// `dir`, progress lines (the channel, the churn) to `progress`.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "experiment/plan.h"
#include "experiment/process.h"
#include "media/result.h"

namespace shoal::experiment {

class ProcessSwarm {
 public:
  ProcessSwarm(Plan plan, std::string dir, std::ostream& progress);

  // The swarm report (swarm_report), or why the broadcast could not start.
  Result<nlohmann::json> run();

 private:
  using Clock = std::chrono::steady_clock;

  Result<Process> start(const std::vector<std::string>& argv, const std::string& name) const;
  std::vector<std::string> source_argv(const std::string& tracker_at) const;
  void join(const ViewerPlan& viewer, const std::string& uri);
  // The plan's link latency as each process emulates it, if any.
  void add_latency(std::vector<std::string>& argv) const;
  void churn(Clock::time_point at, const std::string& uri);
  nlohmann::json report() const;

  Plan plan_;
  std::string dir_;
  std::ostream& progress_;
  std::string shoal_;                            // this executable
  std::vector<std::optional<Process>> viewers_;  // by the plan's index; empty if not started
};

}  // namespace shoal::experiment
