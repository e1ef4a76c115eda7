// How the honest viewers dealt with the hostile ones, from hand-made stats:
// each hostile viewer's "offended", each viewer's "offenders".
#include "experiment/hostile_report.h"

#include <gtest/gtest.h>

#include "experiment/report.h"

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;

Json offended(uint64_t peer, int64_t at_ms) { return {{"peer_id", peer}, {"at_ms", at_ms}}; }

Json dropped(uint64_t peer, const char* offence, int64_t at_ms, Json first_sign_ms = nullptr) {
  return {
      {"peer_id", peer}, {"offence", offence}, {"at_ms", at_ms}, {"first_sign_ms", first_sign_ms}};
}

ReportViewer viewer(uint64_t id, std::string hostile, Json offended_list, Json offenders) {
  return {.upload = "1.5x",
          .hostile = hostile,
          .stats = {{"peer_id", id},
                    {"hostile", hostile.empty() ? Json(nullptr) : Json(hostile)},
                    {"offended", std::move(offended_list)},
                    {"offenders", std::move(offenders)}}};
}

// Liars 1 and 2; honest 10, 11 and 12.
// - 1 offends 10, 11 and 12; 10 drops it 3.5 s after its first sign (before
//   1 says it offended), 11 0.5 s after; 12 never does.
// - 2 offends 10 and liar 1 (no pair); 10 drops it 12 s later (as a flooder).
// - 11 drops honest 12 (a false alarm); liar 1's own drops count for nothing.
std::vector<ReportViewer> swarm() {
  return {
      viewer(1, "liar", {offended(10, 1000), offended(11, 2000), offended(12, 3000)},
             {dropped(11, "garbage", 3000)}),
      viewer(2, "liar", {offended(10, 5000), offended(1, 100)}, Json::array()),
      viewer(10, "", Json::array(), {dropped(1, "liar", 4000, 500), dropped(2, "flood", 17000)}),
      viewer(11, "", Json::array(), {dropped(1, "liar", 2500), dropped(12, "slow", 9000)}),
      viewer(12, "", Json::array(), Json::array()),
  };
}

TEST(HostileReport, APairIsAHostileViewerAndAnHonestOneItOffended) {
  const Json h = hostile_report(swarm());
  EXPECT_EQ(h["kind"], "liar");
  EXPECT_EQ(h["viewers"], 2);
  EXPECT_EQ(h["pairs"], 4);
  EXPECT_EQ(h["dropped"], 3);
}

TEST(HostileReport, ADropTwelveSecondsAfterTheOffenceIsNotWithinTen) {
  const Json h = hostile_report(swarm());
  EXPECT_EQ(h["dropped_within_10s"], 2);
  EXPECT_DOUBLE_EQ(h["delay_s_max"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(h["delay_s_p50"].get<double>(), 3.5) << "from the first sign, which came first";
}

TEST(HostileReport, CountsHonestViewersDropsByOffenceAndItsFalseAlarms) {
  const Json h = hostile_report(swarm());
  EXPECT_EQ(h["offences"], (Json{{"liar", 2}, {"flood", 1}, {"slow", 1}}));
  EXPECT_EQ(h["honest_dropped"], 1);
}

TEST(HostileReport, AViewerOffendedInItsLastTenSecondsAndNotDroppedIsNoPair) {
  std::vector<ReportViewer> v = swarm();
  v[4].stats["left_ms"] = 12'999;  // liar 1 offended it at 3 000
  Json h = hostile_report(v);
  EXPECT_EQ(h["pairs"], 3);
  EXPECT_EQ(h["pairs_leaving"], 1);
  v[4].stats["left_ms"] = 13'000;
  h = hostile_report(v);
  EXPECT_EQ(h["pairs"], 4);
  EXPECT_EQ(h["pairs_leaving"], 0);
  v[2].stats["left_ms"] = 1'500;  // dropped liar 1 all the same: a pair
  EXPECT_EQ(hostile_report(v)["pairs"], 4);
}

TEST(HostileReport, DelaysAreNullWhenNobodyWasDropped) {
  std::vector<ReportViewer> v = swarm();
  v[2].stats["offenders"] = Json::array();
  v[3].stats["offenders"] = Json::array();
  const Json h = hostile_report(v);
  EXPECT_EQ(h["pairs"], 4);
  EXPECT_EQ(h["dropped"], 0);
  EXPECT_TRUE(h["delay_s_p50"].is_null());
  EXPECT_TRUE(h["delay_s_max"].is_null());
  EXPECT_EQ(h["honest_dropped"], 0);
}

}  // namespace
}  // namespace shoal::experiment
