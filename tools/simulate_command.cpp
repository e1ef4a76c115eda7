// `shoal simulate`: the experiment of `shoal swarm` in simulated time. The
// real source and peer engines run over a simulated loopback network in one
// process, deterministic for a seed, and the same report comes out, plus
// the arrival times and the peers' upload as diagnostics.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>
#include <random>

#include "sim/simulation.h"
#include "tools/cli.h"
#include "tools/swarm_report.h"

namespace shoal::cli {
namespace {

using Json = nlohmann::json;

struct SimulateOptions {
  int peers = 8;
  double duration = 30;
  std::string peer_upload = "none";
  std::string source_upload = "none";
  std::string mode = "p2p";
  std::string repair_share;  // empty: the source's default, none in client-server mode
  int free_riders = 0;
  double join_spread = 2;
  double warmup = 4;
  int lag_ms = 3000;
  int chunk_ms = 500;
  double stream_kbps = 1280;
  double latency_ms = 1;
  uint64_t seed = 1;
  std::string json_path;
};

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The same viewers as `shoal swarm` makes free riders (its fixed shuffle).
std::vector<bool> free_riders(int peers, int count) {
  std::mt19937_64 rng(7);
  std::vector<int> order(peers);
  std::iota(order.begin(), order.end(), 0);
  std::ranges::shuffle(order, rng);
  std::vector<bool> free(peers, false);
  for (int i = 0; i < std::min(count, peers); ++i) free[order[i]] = true;
  return free;
}

int fail(const std::string& why) {
  std::cerr << "shoal simulate: " << why << "\n";
  return 2;
}

int run(const SimulateOptions& o) {
  auto limits = upload_limits(o.peer_upload, o.peers);
  if (!limits) return fail(limits.error());
  auto source_limit = parse_upload_limit(o.source_upload);
  if (!source_limit) return fail("--source-upload: " + source_limit.error());
  if (source_limit->bytes_per_second == 0.0) return fail("--source-upload 0 would serve nobody");

  const bool client_server = o.mode == "client-server";
  std::optional<double> repair_share = SourceConfig{}.repair_share;
  if (!o.repair_share.empty()) {
    auto given = parse_repair_share(o.repair_share);
    if (!given) return fail("--repair-share: " + given.error());
    repair_share = *given;
  } else if (client_server) {
    repair_share.reset();
  }

  const std::vector<bool> free = free_riders(o.peers, o.free_riders);
  sim::SimConfig config{.source_upload = *source_limit,
                        .repair_share = repair_share,
                        .client_server = client_server,
                        .duration = ms(o.duration),
                        .warmup = ms(o.warmup),
                        .join_spread = ms(o.join_spread),
                        .lag = std::chrono::milliseconds(o.lag_ms),
                        .chunk = std::chrono::milliseconds(o.chunk_ms),
                        .stream_kbps = o.stream_kbps,
                        .latency = std::chrono::duration_cast<sim::SimTime>(
                            std::chrono::duration<double, std::milli>(o.latency_ms)),
                        .seed = o.seed};
  std::vector<std::string> labels;
  for (int i = 0; i < o.peers; ++i) {
    labels.push_back(free[i] ? "0" : (*limits)[i]);
    config.peer_upload.push_back(*parse_upload_limit(labels.back()));
  }

  std::cout << "Simulating " << o.peers << " peers (" << o.mode << ") for " << o.duration
            << " s, seed " << o.seed << std::endl;
  const auto started = std::chrono::steady_clock::now();
  auto result = sim::simulate(config);
  if (!result) return fail(result.error());
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;

  ReportInput in{.peers = o.peers,
                 .mode = o.mode,
                 .duration_s = o.duration,
                 .source = result->source.to_json()};
  std::vector<int64_t> arrival_ms;
  for (int i = 0; i < o.peers; ++i) {
    const PeerReport& p = result->peers[i];
    arrival_ms.insert(arrival_ms.end(), p.arrival_ms.begin(), p.arrival_ms.end());
    in.viewers.push_back({.upload = labels[i], .free_rider = free[i], .stats = p.to_json()});
  }
  Json report = swarm_report(in);
  add_diagnostics(report, arrival_ms);
  report["seed"] = o.seed;
  report["latency_ms"] = o.latency_ms;
  print_swarm_report(report);
  std::cout << "simulated " << std::chrono::duration<double>(result->simulated).count() << " s in "
            << wall.count() << " s (" << result->events << " events)\n";
  if (!o.json_path.empty()) write_json_file(o.json_path, report);
  return 0;
}

}  // namespace

int simulate_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal simulate [--peers N] [--duration S] [options]";
  cmd.description =
      "Runs the experiment of `shoal swarm` in simulated time: a source and N viewers, each\n"
      "with its own upload limit, running the real source and peer engines over a simulated\n"
      "loopback network in this one process. Deterministic for a --seed, and a 50-viewer\n"
      "run takes seconds, not minutes. It prints the same report as `shoal swarm` (source\n"
      "copies, offload, continuity, startup, lag, control overhead), plus when chunks\n"
      "arrived (capture to arrival, over every chunk every viewer stored) and the viewers'\n"
      "mean upload as a multiple of the stream. Not modelled: CPU time, decoding (startup\n"
      "is join to the first chunk played) and the per-address connection limits.";
  SimulateOptions o;
  cmd.options.add_options()("peers", po::value(&o.peers)->default_value(o.peers),
                            "number of viewers")(
      "duration", po::value(&o.duration)->default_value(o.duration), "seconds each viewer watches")(
      "peer-upload", po::value(&o.peer_upload)->default_value(o.peer_upload),
      "viewers' upload limit: none, a bit rate (2M), a multiple of the stream rate (1.5x), or "
      "a range spread over the viewers (0.5x-3x)")(
      "source-upload", po::value(&o.source_upload)->default_value(o.source_upload),
      "the source's upload limit: none, a bit rate (8M) or a multiple of the stream rate (4x)")(
      "mode", po::value(&o.mode)->default_value(o.mode), "p2p or client-server")(
      "repair-share", po::value(&o.repair_share), kSwarmRepairShareHelp)(
      "free-riders", po::value(&o.free_riders)->default_value(o.free_riders),
      "how many of the viewers upload nothing (the same ones as in `shoal swarm`)")(
      "join-spread", po::value(&o.join_spread)->default_value(o.join_spread),
      "seconds over which the viewers join")(
      "warmup", po::value(&o.warmup)->default_value(o.warmup),
      "seconds the broadcast runs before the first viewer joins")(
      "lag-ms", po::value(&o.lag_ms)->default_value(o.lag_ms), "viewers' playback lag, ms")(
      "chunk-ms", po::value(&o.chunk_ms)->default_value(o.chunk_ms),
      "the source's chunk duration, ms")(
      "stream-kbps", po::value(&o.stream_kbps)->default_value(o.stream_kbps),
      "the stream's mean bit rate, kbit/s (chunk sizes vary by up to 10%)")(
      "latency-ms", po::value(&o.latency_ms)->default_value(o.latency_ms),
      "one-way latency of every link, ms")(
      "seed", po::value(&o.seed)->default_value(o.seed),
      "seed of every random choice; the same seed gives the same run")(
      "json", po::value(&o.json_path), "write the report as JSON to this file");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (o.peers < 1 || o.peers > 1000 || o.duration <= 0 || o.free_riders < 0 ||
      o.free_riders > o.peers || o.join_spread < 0 || o.warmup < 0) {
    return fail(
        "--peers must be 1..1000, --duration positive, --free-riders 0..peers, "
        "--join-spread and --warmup >= 0");
  }
  if (o.mode != "p2p" && o.mode != "client-server") {
    return fail("--mode must be p2p or client-server, not '" + o.mode + "'");
  }
  if (o.lag_ms < 100 || o.chunk_ms < 100 || o.chunk_ms > 10000 || o.stream_kbps <= 0 ||
      o.latency_ms < 0 || o.latency_ms > 10000) {
    return fail(
        "--lag-ms must be at least 100, --chunk-ms 100..10000, --stream-kbps positive "
        "and --latency-ms 0..10000");
  }
  return run(o);
}

}  // namespace shoal::cli
