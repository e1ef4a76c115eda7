// Issue 3's CI check: `shoal swarm` runs a tracker, a source and 8 viewer
// processes for 30 s on the test pattern. Every viewer decodes video and
// plays on time, and the viewers, not the source, multiply the stream. The
// same with an emulated latency on every link.
#include <gtest/gtest.h>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// Runs `shoal swarm` with `options`, keeping its logs under `dir`/run: the
// report it wrote, and its printed table in `table`.
nlohmann::json run_swarm(const TempDir& dir, std::vector<std::string> options, std::string& table) {
  std::vector<std::string> argv = {SHOAL_BINARY, "swarm", "--dir", dir / "run", "--json",
                                   dir / "report.json"};
  argv.insert(argv.end(), options.begin(), options.end());
  auto swarm = Process::spawn(argv, dir / "swarm.log");
  EXPECT_TRUE(swarm) << swarm.error();
  if (!swarm) return nlohmann::json::value_t::discarded;
  table = swarm->read_rest();
  EXPECT_EQ(swarm->wait(120s), 0) << read_file(dir / "swarm.log") << table;
  return read_json(dir / "report.json");
}

TEST(Swarm, EightPeersPlayOnTimeWhileTheSourceUploadsUnderThreeCopies) {
  TempDir dir;
  std::string table;
  const auto report =
      run_swarm(dir, {"--peers", "8", "--duration", "30", "--peer-upload", "2x"}, table);
  ASSERT_FALSE(report.is_discarded()) << table;

  EXPECT_EQ(report["peers"], 8);
  EXPECT_GE(report["continuity"].get<double>(), 0.99) << table;
  EXPECT_LT(report["source_copies"].get<double>(), 3.0) << table;
  EXPECT_GT(report["offload"].get<double>(), 0.5) << table;
  ASSERT_EQ(report["per_peer"].size(), 8u);
  for (const auto& peer : report["per_peer"]) {
    const auto& stats = peer["stats"];
    SCOPED_TRACE(peer.dump());
    ASSERT_TRUE(stats.is_object());
    // 30 s at 30 fps; the first chunks go by before the start point.
    EXPECT_GT(stats["frames_decoded"].get<int>(), 20 * 30);
    EXPECT_GT(stats["bytes_from_peers"].get<int64_t>(), 0);
    EXPECT_EQ(stats["chunks_rejected"], 0);
  }
}

// Every process delays what it receives by 50 ms (DelayedTransport): the
// swarm still plays, with the latency where the engines cannot see it.
TEST(Swarm, SixPeersPlayOverLinksOfAnEmulatedLatency) {
  TempDir dir;
  std::string table;
  const auto report = run_swarm(dir,
                                {"--peers", "6", "--duration", "15", "--peer-upload", "2x",
                                 "--latency-ms", "50", "--decoders", "0"},
                                table);
  ASSERT_FALSE(report.is_discarded()) << table;
  EXPECT_GE(report["continuity"].get<double>(), 0.98) << table;
  EXPECT_GT(report["offload"].get<double>(), 0.3) << table;
  for (const char* log : {"source.log", "peer1.log", "peer6.log"}) {
    EXPECT_NE(read_file(dir / ("run/" + std::string(log))).find("emulating 50 ms of latency"),
              std::string::npos)
        << log;
  }
}

TEST(SwarmCli, ALatencyRangeIsForTheSimulationOnly) {
  TempDir dir;
  auto p = Process::spawn({SHOAL_BINARY, "swarm", "--latency-ms", "10-150"}, dir / "err.log");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wait(10s), 2);
  EXPECT_NE(read_file(dir / "err.log").find("--latency-ms takes one value here"),
            std::string::npos);
}

}  // namespace
}  // namespace shoal::testing
