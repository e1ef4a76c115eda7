// Validation: one set of limits for `shoal swarm` and `shoal simulate`, but
// for how many viewers each runs; each problem named by its option.
#include "experiment/options.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shoal::experiment {
namespace {

constexpr int kMaxPeers = 500;

// The error validate() gives, or "" if the options are valid.
std::string problem(const ExperimentOptions& o, int max_peers = kMaxPeers) {
  const auto valid = validate(o, max_peers);
  return valid ? "" : valid.error();
}

template <typename Set>
std::string problem_with(Set set) {
  ExperimentOptions o;
  set(o);
  return problem(o);
}

TEST(ExperimentOptions, TheDefaultsAreAValidExperiment) {
  EXPECT_EQ(problem(ExperimentOptions{}), "");
  ExperimentOptions churn;
  churn.churn = 0.9;
  churn.churn_at = 29.5;
  EXPECT_EQ(problem(churn), "");
}

TEST(ExperimentOptions, HowManyPeersDependsOnTheRunner) {
  ExperimentOptions o;
  o.peers = 1000;
  EXPECT_EQ(problem(o, 500), "--peers must be 1..500, not 1000");
  EXPECT_EQ(problem(o, 1000), "");
  o.peers = 0;
  EXPECT_EQ(problem(o, 1000), "--peers must be 1..1000, not 0");
}

TEST(ExperimentOptions, CountsAndTimesOutOfRangeAreNamed) {
  EXPECT_EQ(problem_with([](auto& o) { o.duration = 0; }),
            "--duration must be more than 0 and at most 86400 s (a day)");
  EXPECT_EQ(problem_with([](auto& o) { o.duration = 1e21; }),
            "--duration must be more than 0 and at most 86400 s (a day)");
  EXPECT_EQ(problem_with([](auto& o) { o.free_riders = -1; }),
            "--free-riders must be 0..peers (8)");
  EXPECT_EQ(problem_with([](auto& o) { o.free_riders = 9; }), "--free-riders must be 0..peers (8)");
  EXPECT_EQ(problem_with([](auto& o) { o.join_spread = -1; }),
            "--join-spread and --warmup must be >= 0");
  EXPECT_EQ(problem_with([](auto& o) { o.warmup = -0.5; }),
            "--join-spread and --warmup must be >= 0");
  EXPECT_EQ(problem_with([](auto& o) { o.decoders = -1; }), "--decoders must be >= 0");
  EXPECT_EQ(problem_with([](auto& o) { o.lag_ms = 99; }), "--lag-ms must be at least 100");
  EXPECT_EQ(problem_with([](auto& o) { o.chunk_ms = 10001; }), "--chunk-ms must be 100..10000");
  EXPECT_EQ(problem_with([](auto& o) { o.stream_kbps = 0; }), "--stream-kbps must be positive");
  EXPECT_EQ(problem_with([](auto& o) { o.latency_ms = "10001"; }),
            "--latency-ms: '10001': latencies must be 0..10000 ms, the smaller first");
}

TEST(ExperimentOptions, ADownloadCapacityIsWrittenAsAnUploadLimitButNeverZero) {
  EXPECT_EQ(problem_with([](auto& o) { o.peer_download = "3x"; }), "");
  EXPECT_EQ(problem_with([](auto& o) { o.peer_download = "2x-6x"; }), "");
  EXPECT_EQ(problem_with([](auto& o) { o.peer_download = "0"; }),
            "--peer-download: a viewer that downloads nothing cannot watch");
  EXPECT_EQ(problem_with([](auto& o) { o.peer_download = "0x-2x"; }),
            "--peer-download: a viewer that downloads nothing cannot watch");
  EXPECT_NE(problem_with([](auto& o) { o.peer_download = "fast"; }).find("--peer-download: "),
            std::string::npos);
}

TEST(ExperimentOptions, LatencyIsOneValueOrARangeSmallerFirst) {
  EXPECT_EQ(parse_latency("50").value(), (LatencyRange{50, 50}));
  EXPECT_EQ(parse_latency("10-150").value(), (LatencyRange{10, 150}));
  EXPECT_EQ(parse_latency("0.5").value(), (LatencyRange{0.5, 0.5}));
  for (const char* bad : {"", "-5", "150-10", "10-", "ten", "10-150ms", "nan", "inf"}) {
    EXPECT_FALSE(parse_latency(bad)) << bad;
  }
  EXPECT_EQ(problem_with([](auto& o) { o.latency_ms = "fast"; }),
            "--latency-ms: 'fast' is not a latency (write 50 or 10-150, in ms)");
}

TEST(ExperimentOptions, NotANumberIsNotAccepted) {
  EXPECT_EQ(problem_with([](auto& o) { o.duration = std::nan(""); }),
            "--duration must be a number");
  EXPECT_EQ(problem_with([](auto& o) { o.warmup = HUGE_VAL; }), "--warmup must be a number");
}

TEST(ExperimentOptions, TheModeIsP2pOrClientServer) {
  EXPECT_EQ(problem_with([](auto& o) { o.mode = "client-server"; }), "");
  EXPECT_EQ(problem_with([](auto& o) { o.mode = "mesh"; }),
            "--mode must be p2p or client-server, not 'mesh'");
}

TEST(ExperimentOptions, UploadLimitsAndRepairShareMustParse) {
  EXPECT_EQ(problem_with([](auto& o) { o.peer_upload = "1.5y"; }),
            "--peer-upload: bad upload limit '1.5y' (none, 0, a bit rate such as 2M, or a "
            "multiple of the stream rate such as 1.5x)");
  EXPECT_EQ(problem_with([](auto& o) { o.peer_upload = "1M-3M"; }),
            "--peer-upload: bad range '1M-3M' (a range is written like 0.5x-3x)");
  EXPECT_EQ(problem_with([](auto& o) { o.source_upload = "fast"; }).rfind("--source-upload: ", 0),
            0u);
  EXPECT_EQ(problem_with([](auto& o) { o.source_upload = "0"; }),
            "--source-upload 0 would serve nobody");
  EXPECT_EQ(problem_with([](auto& o) { o.repair_share = "-1"; }).rfind("--repair-share: ", 0), 0u);
  EXPECT_EQ(problem_with([](auto& o) { o.repair_share = "none"; }), "");
}

TEST(ExperimentOptions, ChurnIsAShareUpTo90PercentBeforeTheEnd) {
  EXPECT_EQ(problem_with([](auto& o) { o.churn = 0.95; }), "--churn must be 0..0.9");
  EXPECT_EQ(problem_with([](auto& o) { o.churn = -0.1; }), "--churn must be 0..0.9");
  EXPECT_EQ(problem_with([](auto& o) {
              o.churn = 0.25;
              o.churn_at = 30;
            }),
            "--churn-at must be >= 0 and come before the end of --duration");
  EXPECT_EQ(problem_with([](auto& o) { o.churn_at = -1; }),
            "--churn-at must be >= 0 and come before the end of --duration");
}

TEST(UploadLimits, OneLimitForAllOrARangeSpreadEvenlyFromTheFirstToTheLast) {
  EXPECT_EQ(*upload_limits("2M", 3), (std::vector<std::string>{"2M", "2M", "2M"}));
  EXPECT_EQ(*upload_limits("0.5x-3x", 3), (std::vector<std::string>{"0.5x", "1.75x", "3x"}));
  EXPECT_EQ(*upload_limits("1x-2x", 4), (std::vector<std::string>{"1x", "1.33x", "1.67x", "2x"}));
  EXPECT_FALSE(upload_limits("0.5x-", 3));
  EXPECT_FALSE(upload_limits("-3x", 3));
  EXPECT_FALSE(upload_limits("x", 3));
}

}  // namespace
}  // namespace shoal::experiment
