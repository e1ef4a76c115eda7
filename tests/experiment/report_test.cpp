// The swarm report's arithmetic on small hand-made stats: source copies,
// offload, continuity overall and by group, startup and lag percentiles
// across viewers, control overhead, and null wherever a figure is undefined.
#include "experiment/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;

// One copy of the stream is 1000 bytes over 10 s (0.8 kbit/s); the source
// uploaded three copies.
const Json kSource = {{"bytes_uploaded", 3000},
                      {"copy_bytes", 1000},
                      {"media_ms_published", 10000},
                      {"control_bytes_out", 100}};

// A viewer's stats JSON with only what a test sets (PeerReport's names).
struct Stats {
  int64_t from_source = 0, from_peers = 0, uploaded = 0, control_out = 0;
  int64_t due = 0, on_time = 0;
  Json startup_ms, lag_p50, lag_p95;  // null unless set
  Json json() const {
    return {{"bytes_from_source", from_source},
            {"bytes_from_peers", from_peers},
            {"bytes_uploaded", uploaded},
            {"control_bytes_out", control_out},
            {"chunks_due", due},
            {"chunks_on_time", on_time},
            {"startup_ms", startup_ms},
            {"lag_ms_p50", lag_p50},
            {"lag_ms_p95", lag_p95},
            {"played_seqs", Json::array({"0-9"})}};
  }
};

ReportViewer contributor(const Stats& s) { return {.upload = "1.5x", .stats = s.json()}; }
ReportViewer free_rider(const Stats& s) {
  return {.upload = "0", .free_rider = true, .stats = s.json()};
}

ReportInput swarm(std::vector<ReportViewer> viewers, Json source = kSource) {
  return {.peers = static_cast<int>(viewers.size()),
          .mode = "p2p",
          .duration_s = 10,
          .source = std::move(source),
          .viewers = std::move(viewers)};
}

// A contributor that played 9 of 10 and a free rider that played 5 of 10. In
// Stats' order: bytes from the source, from peers, uploaded and of control;
// chunks due and on time; startup, lag p50 and p95 (ms).
// clang-format off
const Stats kContributor{1000, 3000, 2000, 50, 10, 9, 1000, 3000, 3100};
const Stats kFreeRider  {2000, 6000,    0, 50, 10, 5, 2000, 3000, 3500};
// clang-format on

ReportInput contributor_and_free_rider() {
  return swarm({contributor(kContributor), free_rider(kFreeRider)});
}

TEST(SwarmReport, SourceCopiesAreTheSourceUploadOverOneCopyOfTheStream) {
  const Json r = swarm_report(contributor_and_free_rider());
  EXPECT_DOUBLE_EQ(r["source_copies"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(r["stream_kbps"].get<double>(), 0.8);  // 1000 bytes x 8 / 10000 ms
}

TEST(SwarmReport, OffloadIsTheShareDeliveredThatTheSourceDidNotUpload) {
  // Delivered: 1000 + 3000 + 2000 + 6000 = 12000 bytes, 3000 of them by the source.
  EXPECT_DOUBLE_EQ(swarm_report(contributor_and_free_rider())["offload"].get<double>(), 0.75);
}

TEST(SwarmReport, ContinuityIsChunksOnTimeOverChunksDueOverallAndByGroup) {
  const Json r = swarm_report(contributor_and_free_rider());
  EXPECT_DOUBLE_EQ(r["continuity"].get<double>(), 14.0 / 20);
  EXPECT_DOUBLE_EQ(r["continuity_contributors"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(r["continuity_free_riders"].get<double>(), 0.5);
  EXPECT_FALSE(r.contains("continuity_survivors"));
  EXPECT_FALSE(r.contains("continuity_joiners"));
}

TEST(SwarmReport, WithChurnSurvivorsAndJoinersAreCountedApartFromTheKilled) {
  ReportViewer killed = contributor({.due = 4, .on_time = 2});
  killed.killed = true;
  ReportViewer joiner = contributor({.due = 5, .on_time = 4});
  joiner.joiner = true;
  ReportInput in = swarm({contributor({.due = 10, .on_time = 10}), killed, joiner});
  in.churn = true;
  const Json r = swarm_report(in);
  EXPECT_DOUBLE_EQ(r["continuity"].get<double>(), 16.0 / 19);
  EXPECT_DOUBLE_EQ(r["continuity_survivors"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r["continuity_joiners"].get<double>(), 0.8);
}

TEST(SwarmReport, StartupIsAPercentileOverViewersAndLagOverTheirOwnPercentiles) {
  std::vector<ReportViewer> viewers;
  for (int i = 0; i < 4; ++i) {
    viewers.push_back(contributor(
        {.startup_ms = 100 * (i + 1), .lag_p50 = 3000 + 10 * i, .lag_p95 = 3100 + 100 * i}));
  }
  viewers.push_back(contributor({}));  // never started: left out, not counted as 0
  const Json r = swarm_report(swarm(viewers));
  // Nearest rank over 4 values: p50 is the 2nd, p95 the 4th.
  EXPECT_EQ(r["startup_ms_p50"], 200);
  EXPECT_EQ(r["startup_ms_p95"], 400);
  EXPECT_EQ(r["lag_ms_p50"], 3010);  // the median of the viewers' p50s
  EXPECT_EQ(r["lag_ms_p95"], 3400);  // the 95th percentile of their p95s
}

TEST(SwarmReport, ControlOverheadIsEveryNodesControlBytesOverAllChunkBytes) {
  // Control: 100 (source) + 50 + 50; chunks: 3000 (source) + 2000 + 0.
  EXPECT_DOUBLE_EQ(swarm_report(contributor_and_free_rider())["control_overhead"].get<double>(),
                   200.0 / 5000);
}

TEST(SwarmReport, FiguresAreNullWhereUndefined) {
  const Json r = swarm_report(swarm({ReportViewer{.upload = "1.5x"}}, Json(nullptr)));
  for (const char* figure : {"stream_kbps", "source_copies", "offload", "continuity",
                             "continuity_contributors", "continuity_free_riders", "startup_ms_p50",
                             "startup_ms_p95", "lag_ms_p50", "lag_ms_p95", "control_overhead"}) {
    EXPECT_TRUE(r[figure].is_null()) << figure;
  }
  // Viewers with stats but nothing due yet: continuity is still undefined.
  const Json none_due = swarm_report(swarm({contributor({.from_peers = 10})}));
  EXPECT_TRUE(none_due["continuity"].is_null());
  EXPECT_TRUE(none_due["continuity_free_riders"].is_null());
}

TEST(SwarmReport, ListsEveryViewerWithItsRoleAndStatsButNotThePlayedChunks) {
  ReportViewer killed = contributor({});
  killed.killed = true;
  ReportViewer joiner = contributor({});
  joiner.joiner = true;
  joiner.decodes = true;
  ReportInput in = contributor_and_free_rider();
  in.viewers.push_back(killed);
  in.viewers.push_back(joiner);
  const Json r = swarm_report(in);
  ASSERT_EQ(r["per_peer"].size(), 4u);
  EXPECT_EQ(r["per_peer"][0]["peer"], 1);
  EXPECT_EQ(r["per_peer"][0]["upload_limit"], "1.5x");
  EXPECT_EQ(r["per_peer"][1]["upload_limit"], "0");
  std::vector<std::string> roles;
  for (const Json& p : r["per_peer"]) roles.push_back(p["role"]);
  EXPECT_EQ(roles, (std::vector<std::string>{"contrib", "free", "killed", "joiner"}));
  EXPECT_EQ(r["per_peer"][0]["stats"]["chunks_on_time"], 9);
  EXPECT_FALSE(r["per_peer"][0]["stats"].contains("played_seqs"));
  EXPECT_EQ(r["decoders"], 1);
  EXPECT_EQ(r["source"], kSource);
}

TEST(SwarmReport, TheInputFollowsThePlanViewerByViewer) {
  ExperimentOptions o;
  o.peers = 16;
  o.free_riders = 4;
  o.churn = 0.25;
  o.decoders = 2;
  o.mode = "client-server";
  const Plan plan = make_plan(o);
  std::vector<Json> stats(plan.viewers.size(), Json(nullptr));
  stats[0] = Stats{.due = 3}.json();
  const ReportInput in = report_input(plan, kSource, stats);
  EXPECT_EQ(in.peers, 16);
  EXPECT_EQ(in.mode, "client-server");
  EXPECT_EQ(in.duration_s, 30);
  EXPECT_TRUE(in.churn);
  EXPECT_EQ(in.source, kSource);
  ASSERT_EQ(in.viewers.size(), plan.viewers.size());
  for (size_t i = 0; i < in.viewers.size(); ++i) {
    const ViewerPlan& v = plan.viewers[i];
    EXPECT_EQ(in.viewers[i].upload, v.upload_label);
    EXPECT_EQ(in.viewers[i].free_rider, v.free_rider);
    EXPECT_EQ(in.viewers[i].killed, v.killed);
    EXPECT_EQ(in.viewers[i].joiner, v.joiner());
    EXPECT_EQ(in.viewers[i].decodes, v.decodes);
  }
  EXPECT_EQ(in.viewers[0].stats["chunks_due"], 3);
  EXPECT_TRUE(in.viewers[1].stats.is_null());
}

TEST(SwarmReport, DiagnosticsPoolArrivalsAndCompareUploadWithTheStreamOverEachWatch) {
  Json r = swarm_report(contributor_and_free_rider());
  add_diagnostics(r, {400, 100, 300, 200});
  EXPECT_EQ(r["arrival_ms_p50"], 200);
  EXPECT_EQ(r["arrival_ms_p95"], 400);
  // 2000 bytes uploaded / (100 bytes/s x 10 s x 2 viewers).
  EXPECT_DOUBLE_EQ(r["peer_upload_ratio"].get<double>(), 1.0);

  Json empty = swarm_report(swarm({}, Json(nullptr)));
  add_diagnostics(empty, {});
  EXPECT_TRUE(empty["arrival_ms_p50"].is_null());
  EXPECT_TRUE(empty["peer_upload_ratio"].is_null());
}

TEST(SwarmReport, PrintsADashForAFigureThatIsUndefined) {
  std::ostringstream out;
  print_swarm_report(swarm_report(contributor_and_free_rider()), out);
  EXPECT_NE(out.str().find("source copies      3.00"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("continuity         0.7000  (contributors 0.9000, free riders 0.5000)"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("churn"), std::string::npos);

  std::ostringstream undefined;
  print_swarm_report(swarm_report(swarm({contributor({})}, Json(nullptr))), undefined);
  EXPECT_NE(undefined.str().find("source copies      -"), std::string::npos) << undefined.str();
}

}  // namespace
}  // namespace shoal::experiment
