// Issue 18's hostile viewers, in real processes: `shoal swarm --hostile K
// --hostile-kind KIND` runs 12 viewers of which 2 misbehave. The honest ones
// play on, the source stays near one copy, no honest viewer is dropped by
// another, and every viewer dropped is dropped for what it did. A forger is
// caught by its first bad piece; liars and trickling uploaders at this size
// are asked too little to be sure to be convicted (each honest viewer asks a
// neighbour that never answered for at most one chunk at once, and only for
// a chunk the source could not take; a trickler offends one or two viewers
// in 20 s): what shows is that they cost the swarm nothing. Their conviction
// is in the unit tests (EngineTest, OffenderWatch) and the benchmarks
// (docs/benchmarks.md).
#include <gtest/gtest.h>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json run_hostile_swarm(const TempDir& dir, const std::string& kind, std::string& table) {
  auto swarm = Process::spawn(
      {SHOAL_BINARY, "swarm", "--dir",         dir / "run", "--json",          dir / "report.json",
       "--peers",    "12",    "--hostile",     "2",         "--hostile-kind",  kind,
       "--duration", "20",    "--peer-upload", "2x",        "--source-upload", "4x",
       "--decoders", "0"},
      dir / "swarm.log");
  EXPECT_TRUE(swarm) << swarm.error();
  if (!swarm) return nlohmann::json::value_t::discarded;
  table = swarm->read_rest();
  EXPECT_EQ(swarm->wait(120s), 0) << read_file(dir / "swarm.log") << table;
  return read_json(dir / "report.json");
}

// What every kind must show: the honest viewers play and the source
// uploads little, whoever misbehaves.
void expect_the_honest_play_on(const nlohmann::json& report, const std::string& kind,
                               const std::string& table) {
  ASSERT_TRUE(report.contains("hostile")) << table;
  const auto& h = report["hostile"];
  EXPECT_EQ(h["kind"], kind);
  EXPECT_EQ(h["viewers"], 2);
  EXPECT_GE(report["continuity_honest"].get<double>(), 0.97) << table;
  EXPECT_LE(report["source_copies"].get<double>(), 2.0) << table;
  EXPECT_EQ(h["honest_dropped"], 0) << "an honest viewer was dropped as an offender\n" << table;
  for (const auto& [offence, n] : h["offences"].items()) {
    EXPECT_TRUE(offence == kind || (kind == "slow" && offence == "liar"))
        << n << " dropped as " << offence << " in a swarm of " << kind << "s\n"
        << table;
  }
}

TEST(HostileViewers, ForgersAreDroppedWithinTenSecondsOfAForgedPieceAndCounted) {
  TempDir dir;
  std::string table;
  const auto report = run_hostile_swarm(dir, "forge", table);
  ASSERT_FALSE(report.is_discarded()) << table;
  expect_the_honest_play_on(report, "forge", table);
  const auto& h = report["hostile"];
  EXPECT_GT(h["pairs"].get<int>(), 0) << table;
  EXPECT_GT(h["dropped"].get<int>(), 0) << table;
  EXPECT_EQ(h["dropped"], h["dropped_within_10s"]) << table;
  // Not every pair: a forged piece older than the viewer's playout, or with
  // no head to check it against, is ignored unchecked and convicts nobody
  // (in CI's first run of this test, 5 of 9 pairs were dropped).
  // The forged pieces the honest viewers caught are counted as rejected.
  int64_t rejected = 0;
  for (const auto& p : report["per_peer"]) {
    if (p["role"] != "forge") rejected += p["stats"]["chunks_rejected"].get<int64_t>();
  }
  EXPECT_GE(rejected, h["dropped"].get<int64_t>()) << table;
}

TEST(HostileViewers, LiarsCostTheSwarmNothing) {
  TempDir dir;
  std::string table;
  const auto report = run_hostile_swarm(dir, "liar", table);
  ASSERT_FALSE(report.is_discarded()) << table;
  expect_the_honest_play_on(report, "liar", table);
}

TEST(HostileViewers, TricklingUploadersCostTheSwarmNothing) {
  TempDir dir;
  std::string table;
  const auto report = run_hostile_swarm(dir, "slow", table);
  ASSERT_FALSE(report.is_discarded()) << table;
  expect_the_honest_play_on(report, "slow", table);
}

}  // namespace
}  // namespace shoal::testing
