#include "experiment/process_swarm.h"

#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "experiment/report.h"

namespace shoal::experiment {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  Json j = Json::parse(in, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

std::string name(const ViewerPlan& v) { return "peer" + std::to_string(v.index + 1); }

}  // namespace

ProcessSwarm::ProcessSwarm(Plan plan, std::string dir, std::ostream& progress)
    : plan_(std::move(plan)),
      dir_(std::move(dir)),
      progress_(progress),
      shoal_(self_executable()),
      viewers_(plan_.viewers.size()) {}

Result<Json> ProcessSwarm::run() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Error{"cannot create " + dir_ + ": " + ec.message()};
  auto tracker = start({shoal_, "tracker", "--listen", "127.0.0.1:0"}, "tracker");
  if (!tracker) return Error{tracker.error()};
  const auto tracker_at = tracker->read_line(10s);
  if (!tracker_at) return Error{"the tracker did not start; see " + dir_ + "/tracker.log"};
  auto source = start(source_argv(*tracker_at), "source");
  if (!source) return Error{source.error()};
  const auto uri = source->read_line(30s);
  if (!uri) return Error{"the source did not start; see " + dir_ + "/source.log"};
  progress_ << "channel: " << *uri << std::endl;

  // The broadcast has begun: the plan's times count from here (its warmup
  // lets the viewers join a broadcast under way, as at a live event).
  const Clock::time_point began = Clock::now();
  for (const ViewerPlan& v : plan_.viewers) {
    if (v.joiner()) continue;
    std::this_thread::sleep_until(began + v.join);
    join(v, *uri);
  }
  if (plan_.churn_at) churn(began + *plan_.churn_at, *uri);

  for (const ViewerPlan& v : plan_.viewers) {
    std::optional<Process>& p = viewers_[v.index];
    if (p && !v.killed) {
      p->wait(std::chrono::duration_cast<std::chrono::milliseconds>(v.watch) + 30s);
    }
  }
  source->signal(SIGTERM);
  source->wait(15s);
  tracker->signal(SIGTERM);
  tracker->wait(5s);
  return report();
}

Result<Process> ProcessSwarm::start(const std::vector<std::string>& argv,
                                    const std::string& name) const {
  return Process::spawn(argv, dir_ + "/" + name + ".log");
}

std::vector<std::string> ProcessSwarm::source_argv(const std::string& tracker_at) const {
  const ExperimentOptions& o = plan_.options;
  std::vector<std::string> argv = {shoal_,           "source",
                                   "--listen",       "127.0.0.1:0",
                                   "--input",        o.input,
                                   "--key",          dir_ + "/source.key",
                                   "--tracker",      tracker_at,
                                   "--upload-limit", plan_.source.upload_label,
                                   "--stats-json",   dir_ + "/source.json",
                                   "--chunk-ms",     std::to_string(o.chunk_ms)};
  if (plan_.source.repair_share_label) {
    argv.insert(argv.end(), {"--repair-share", *plan_.source.repair_share_label});
  }
  if (o.input != "testsrc") argv.push_back("--loop");
  add_latency(argv);
  return argv;
}

void ProcessSwarm::add_latency(std::vector<std::string>& argv) const {
  if (plan_.latency.max_ms <= 0) return;
  argv.insert(argv.end(), {"--latency-ms", std::to_string(std::lround(plan_.latency.max_ms))});
}

void ProcessSwarm::join(const ViewerPlan& v, const std::string& uri) {
  std::vector<std::string> argv = {shoal_,
                                   "peer",
                                   uri,
                                   "--sink",
                                   v.decodes ? "fake" : "none",
                                   "--duration",
                                   std::to_string(std::chrono::duration<double>(v.watch).count()),
                                   "--stats-json",
                                   dir_ + "/" + name(v) + ".json",
                                   "--upload-limit",
                                   v.upload_label,
                                   "--lag-ms",
                                   std::to_string(plan_.options.lag_ms),
                                   "--listen",
                                   v.host + ":0"};
  if (plan_.client_server) argv.push_back("--client-server");
  if (v.hostile) argv.insert(argv.end(), {"--hostile", std::string(offence_name(*v.hostile))});
  add_latency(argv);
  auto process = start(argv, name(v));
  if (!process) {
    // The others go on: the report shows this viewer without stats.
    std::cerr << "shoal swarm: " << name(v) << ": " << process.error() << "\n";
    return;
  }
  viewers_[v.index] = std::move(*process);
}

void ProcessSwarm::churn(Clock::time_point at, const std::string& uri) {
  std::this_thread::sleep_until(at);
  size_t killed = 0;
  for (const ViewerPlan& v : plan_.viewers) {
    if (!v.killed) continue;
    ++killed;
    if (std::optional<Process>& p = viewers_[v.index]) {
      p->signal(SIGKILL);
      p->wait(5s);
    }
  }
  progress_ << "churn: killed " << killed << " peers; as many join now" << std::endl;
  for (const ViewerPlan& v : plan_.viewers) {
    if (v.joiner()) join(v, uri);
  }
}

Json ProcessSwarm::report() const {
  std::vector<Json> stats;
  for (const ViewerPlan& v : plan_.viewers) {
    stats.push_back(read_json(dir_ + "/" + name(v) + ".json"));
  }
  return swarm_report(report_input(plan_, read_json(dir_ + "/source.json"), std::move(stats)));
}

}  // namespace shoal::experiment
