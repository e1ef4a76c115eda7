// `shoal swarm`: a whole live broadcast on loopback (tracker, source, N
// peers, each a real process with its own upload limit) and the report of
// what the peers took off the source: source copies, offload, continuity,
// startup, lag and control overhead. `--mode client-server` runs the same
// harness with every peer fetching from the source only: the baseline.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <thread>

#include "tools/cli.h"
#include "tools/process.h"
#include "tools/swarm_report.h"

namespace shoal::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct SwarmOptions {
  int peers = 8;
  double duration = 30;
  std::string input = "testsrc";
  std::string peer_upload = "none";
  std::string source_upload = "none";
  std::string mode = "p2p";
  std::string repair_share;  // empty: the source's default, none in client-server mode
  int free_riders = 0;
  int decoders = 8;        // viewers that decode; the rest play out undecoded
  double churn = 0;        // fraction of the peers killed at churn_at
  double churn_at = 0;     // seconds after the last join
  double join_spread = 2;  // seconds over which the peers join
  double warmup = 4;       // seconds the broadcast runs before the first peer joins
  int lag_ms = 3000;
  int chunk_ms = 500;
  std::string dir;
  std::string json_path;
};

struct Viewer {
  std::string name;
  std::string upload;  // its --upload-limit
  bool free_rider = false;
  bool killed = false;
  bool joiner = false;  // came in to replace a killed peer
  bool decodes = true;
  std::optional<Process> process;
};

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  Json j = Json::parse(in, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

class Swarm {
 public:
  explicit Swarm(SwarmOptions o) : o_(std::move(o)), shoal_(self_executable()) {}

  int run() {
    auto limits = upload_limits(o_.peer_upload, o_.peers);
    if (!limits) return fail(2, limits.error());
    fs::create_directories(o_.dir);
    std::cout << "Swarm of " << o_.peers << " peers (" << o_.mode << ") on " << o_.input << " for "
              << o_.duration << " s; logs in " << o_.dir << std::endl;

    auto tracker = start({shoal_, "tracker", "--listen", "127.0.0.1:0"}, "tracker");
    if (!tracker) return 1;
    const auto tracker_at = tracker->read_line(10s);
    if (!tracker_at) return fail(1, "the tracker did not start; see " + o_.dir + "/tracker.log");

    std::vector<std::string> source_args = {shoal_,           "source",
                                            "--input",        o_.input,
                                            "--key",          o_.dir + "/source.key",
                                            "--tracker",      *tracker_at,
                                            "--upload-limit", o_.source_upload,
                                            "--stats-json",   o_.dir + "/source.json",
                                            "--chunk-ms",     std::to_string(o_.chunk_ms)};
    if (!o_.repair_share.empty() || o_.mode == "client-server") {
      source_args.push_back("--repair-share");
      source_args.push_back(o_.repair_share.empty() ? "none" : o_.repair_share);
    }
    if (o_.input != "testsrc") source_args.push_back("--loop");
    auto source = start(source_args, "source");
    if (!source) return 1;
    const auto uri = source->read_line(30s);
    if (!uri) return fail(1, "the source did not start; see " + o_.dir + "/source.log");
    std::cout << "channel: " << *uri << std::endl;
    uri_ = *uri;
    // Viewers of a live event join a broadcast under way, not at its first frame.
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmup));
    started_ = Clock::now();

    std::mt19937_64 rng(7);
    std::vector<int> order(o_.peers);
    std::iota(order.begin(), order.end(), 0);
    std::ranges::shuffle(order, rng);
    std::vector<bool> free_rider(o_.peers, false);
    for (int i = 0; i < std::min(o_.free_riders, o_.peers); ++i) free_rider[order[i]] = true;

    const auto gap = std::chrono::duration<double>(o_.join_spread / std::max(1, o_.peers));
    for (int i = 0; i < o_.peers; ++i) {
      join(free_rider[i] ? "0" : (*limits)[i], free_rider[i], false, o_.duration);
      std::this_thread::sleep_for(gap);
    }
    if (o_.churn > 0) churn(rng);

    const auto limit = std::chrono::milliseconds(static_cast<int64_t>(o_.duration * 1000)) + 30s;
    for (Viewer& v : viewers_) {
      if (v.process && !v.killed) v.process->wait(limit);
    }
    source->signal(SIGTERM);
    source->wait(15s);
    tracker->signal(SIGTERM);
    tracker->wait(5s);

    const Json report = aggregate();
    print_swarm_report(report);
    if (!o_.json_path.empty()) std::ofstream(o_.json_path) << report.dump(2) << "\n";
    return 0;
  }

 private:
  int fail(int code, const std::string& why) {
    std::cerr << "shoal swarm: " << why << "\n";
    return code;
  }

  std::optional<Process> start(const std::vector<std::string>& argv, const std::string& name) {
    auto p = Process::spawn(argv, o_.dir + "/" + name + ".log");
    if (!p) {
      fail(1, p.error());
      return std::nullopt;
    }
    return std::move(*p);
  }

  // Each viewer on its own loopback address (127.0.1.1, 127.0.1.2, ...), as
  // on the Internet, so the tracker and every node hold it to the same
  // per-address limits as they would there.
  static std::string viewer_host(size_t i) {
    return "127.0." + std::to_string(1 + i / 250) + "." + std::to_string(1 + i % 250);
  }

  void join(const std::string& upload, bool free_rider, bool joiner, double duration) {
    const std::string listen = viewer_host(viewers_.size()) + ":0";
    Viewer v{.name = "peer" + std::to_string(viewers_.size() + 1),
             .upload = upload,
             .free_rider = free_rider,
             .joiner = joiner,
             .decodes = decodes(viewers_.size())};
    std::vector<std::string> argv = {shoal_,
                                     "peer",
                                     uri_,
                                     "--sink",
                                     v.decodes ? "fake" : "none",
                                     "--duration",
                                     std::to_string(duration),
                                     "--stats-json",
                                     o_.dir + "/" + v.name + ".json",
                                     "--upload-limit",
                                     upload,
                                     "--lag-ms",
                                     std::to_string(o_.lag_ms),
                                     "--listen",
                                     listen};
    if (o_.mode == "client-server") argv.push_back("--client-server");
    v.process = start(argv, v.name);
    viewers_.push_back(std::move(v));
  }

  // Whether the i-th viewer to join decodes: --decoders of them, spread
  // evenly over the join order (and so over early and late joiners).
  bool decodes(size_t i) const {
    if (o_.decoders <= 0) return false;
    const auto step = static_cast<size_t>((o_.peers + o_.decoders - 1) / o_.decoders);
    return i < static_cast<size_t>(o_.peers) && i % step == 0;
  }

  // Kills a share of the contributors outright, all at once, and lets as many
  // newcomers join for the rest of the broadcast.
  void churn(std::mt19937_64& rng) {
    const auto at = started_ + std::chrono::milliseconds(
                                   static_cast<int64_t>((o_.join_spread + o_.churn_at) * 1000));
    std::this_thread::sleep_until(at);
    std::vector<size_t> alive;
    for (size_t i = 0; i < viewers_.size(); ++i) {
      if (!viewers_[i].free_rider) alive.push_back(i);
    }
    std::ranges::shuffle(alive, rng);
    const auto kills = static_cast<size_t>(o_.churn * o_.peers + 0.5);
    std::vector<std::string> uploads;
    for (size_t k = 0; k < kills && k < alive.size(); ++k) {
      Viewer& v = viewers_[alive[k]];
      v.process->signal(SIGKILL);
      v.process->wait(5s);
      v.killed = true;
      uploads.push_back(v.upload);
    }
    std::cout << "churn: killed " << uploads.size() << " peers; as many join now" << std::endl;
    const double left = o_.duration - o_.churn_at;
    for (const std::string& upload : uploads) join(upload, false, true, left);
  }

  Json aggregate() {
    ReportInput in{.peers = o_.peers,
                   .mode = o_.mode,
                   .duration_s = o_.duration,
                   .churn = o_.churn > 0,
                   .source = read_json(o_.dir + "/source.json")};
    for (const Viewer& v : viewers_) {
      in.viewers.push_back({.upload = v.upload,
                            .free_rider = v.free_rider,
                            .killed = v.killed,
                            .joiner = v.joiner,
                            .decodes = v.decodes,
                            .stats = read_json(o_.dir + "/" + v.name + ".json")});
    }
    return swarm_report(in);
  }

  SwarmOptions o_;
  std::string shoal_;
  std::string uri_;
  std::vector<Viewer> viewers_;
  Clock::time_point started_ = Clock::now();
};

}  // namespace

int swarm_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal swarm [--peers N] [--duration S] [options]";
  cmd.description =
      "Runs a whole live broadcast on this machine: a tracker, a source and N viewers, each\n"
      "its own process with its own upload limit, then reports how much of the load the\n"
      "viewers took off the source (source copies, offload), continuity, startup delay,\n"
      "lag and control overhead. --mode client-server runs the same with every viewer\n"
      "fetching from the source only, the baseline to compare with.";
  SwarmOptions o;
  cmd.options.add_options()("peers", po::value(&o.peers)->default_value(8), "number of viewers")(
      "duration", po::value(&o.duration)->default_value(30), "seconds each viewer watches")(
      "input", po::value(&o.input)->default_value("testsrc"),
      "what the source broadcasts: testsrc, a media file (looped) or a URL")(
      "peer-upload", po::value(&o.peer_upload)->default_value("none"),
      "viewers' upload limit: none, a bit rate (2M), a multiple of the stream rate (1.5x), or "
      "a range spread over the viewers (0.5x-3x)")(
      "source-upload", po::value(&o.source_upload)->default_value("none"),
      "the source's upload limit, written the same way")(
      "mode", po::value(&o.mode)->default_value("p2p"), "p2p or client-server")(
      "repair-share", po::value(&o.repair_share), kSwarmRepairShareHelp)(
      "free-riders", po::value(&o.free_riders)->default_value(0),
      "how many of the viewers upload nothing")(
      "decoders", po::value(&o.decoders)->default_value(o.decoders),
      "how many of the viewers decode the video; the rest verify and play out every chunk "
      "on time without decoding it, as one machine cannot decode for dozens of viewers")(
      "churn", po::value(&o.churn)->default_value(0),
      "fraction of the viewers killed (SIGKILL) at --churn-at and replaced by newcomers")(
      "churn-at", po::value(&o.churn_at)->default_value(0),
      "seconds after the last join when the churn happens (default: mid-run)")(
      "join-spread", po::value(&o.join_spread)->default_value(2),
      "seconds over which the viewers join")(
      "warmup", po::value(&o.warmup)->default_value(4),
      "seconds the broadcast runs before the first viewer joins")(
      "lag-ms", po::value(&o.lag_ms)->default_value(o.lag_ms), "viewers' playback lag, ms")(
      "chunk-ms", po::value(&o.chunk_ms)->default_value(o.chunk_ms),
      "the source's target chunk duration, ms")(
      "dir", po::value(&o.dir), "where to keep logs and stats (default: a fresh temp dir)")(
      "json", po::value(&o.json_path), "write the report as JSON to this file");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (o.peers < 1 || o.peers > 500 || o.duration <= 0 || o.free_riders < 0 ||
      o.free_riders > o.peers || o.decoders < 0 || o.churn < 0 || o.churn > 0.9 ||
      o.join_spread < 0 || o.warmup < 0) {
    std::cerr << "shoal swarm: --peers must be 1..500, --duration positive, --free-riders "
                 "0..peers, --decoders >= 0, --churn 0..0.9, --join-spread and --warmup >= 0\n";
    return 2;
  }
  if (o.mode != "p2p" && o.mode != "client-server") {
    std::cerr << "shoal swarm: --mode must be p2p or client-server, not '" << o.mode << "'\n";
    return 2;
  }
  if (const auto share = parse_repair_share(o.repair_share); !o.repair_share.empty() && !share) {
    std::cerr << "shoal swarm: --repair-share: " << share.error() << "\n";
    return 2;
  }
  if (o.churn > 0 && o.churn_at == 0) o.churn_at = o.duration / 2;
  if (o.churn_at >= o.duration) {
    std::cerr << "shoal swarm: --churn-at must come before the end of --duration\n";
    return 2;
  }
  if (o.dir.empty()) {
    o.dir = (fs::temp_directory_path() / ("shoal-swarm-" + std::to_string(::getpid()))).string();
  }
  return Swarm(std::move(o)).run();
}

}  // namespace shoal::cli
