// --sweep: the list of Ns, the runs it makes and their table.
#include "experiment/sweep.h"

#include <gtest/gtest.h>

#include <sstream>

namespace shoal::experiment {
namespace {

TEST(ParseSweep, TakesWholeNumbersInTheOrderGiven) {
  EXPECT_EQ(*parse_sweep("10,30", 500), (std::vector<int>{10, 30}));
  EXPECT_EQ(*parse_sweep("100", 500), (std::vector<int>{100}));
  EXPECT_EQ(*parse_sweep("30,10", 500), (std::vector<int>{30, 10}));
}

TEST(ParseSweep, NamesWhatIsWrong) {
  EXPECT_EQ(parse_sweep("10,x", 500).error(),
            "--sweep: 'x' is not a number of viewers (write 10,30,100)");
  EXPECT_EQ(parse_sweep("10,600", 500).error(), "--sweep: each N must be 1..500, not 600");
  EXPECT_EQ(parse_sweep("0", 500).error(), "--sweep: each N must be 1..500, not 0");
  EXPECT_EQ(parse_sweep("10,10", 500).error(), "--sweep: 10 comes twice");
  for (const char* bad : {"", "10,", ",10", "10,,30", "1.5", "-3", "10 ,30"}) {
    EXPECT_FALSE(parse_sweep(bad, 500)) << bad;
  }
}

TEST(SweepRuns, EachNPeerToPeerThenClientServerTheRestAlike) {
  ExperimentOptions base;
  base.duration = 10;
  base.peer_upload = "1.5x";
  const auto runs = sweep_runs(base, {10, 30});
  ASSERT_EQ(runs.size(), 4u);
  const std::pair<int, std::string> expected[] = {
      {10, "p2p"}, {10, "client-server"}, {30, "p2p"}, {30, "client-server"}};
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].peers, expected[i].first);
    EXPECT_EQ(runs[i].mode, expected[i].second);
    ExperimentOptions same = runs[i];
    same.peers = base.peers;
    same.mode = base.mode;
    EXPECT_EQ(same, base);
  }
}

TEST(SweepTable, ARowPerRunWithDashesForMissingFigures) {
  const std::vector<nlohmann::json> reports = {
      {{"peers", 10}, {"mode", "p2p"}, {"source_copies", 1.0612}, {"continuity", 0.99871}},
      {{"peers", 10}, {"mode", "client-server"}, {"source_copies", 9.5}, {"continuity", nullptr}}};
  std::ostringstream out;
  print_sweep_table(reports, out);
  const std::string table = out.str();
  EXPECT_NE(table.find("continuity"), std::string::npos);
  EXPECT_NE(table.find("    10  p2p               1.06"), std::string::npos) << table;
  EXPECT_NE(table.find("0.9987"), std::string::npos) << table;
  EXPECT_NE(table.find("    10  client-server     9.50"), std::string::npos) << table;
}

}  // namespace
}  // namespace shoal::experiment
