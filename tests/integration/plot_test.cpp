// Issue 17's pictures of experiments: `shoal swarm --plot` draws a run and
// `--sweep` draws p2p against client-server over N, and a browser renders
// both: headless Chromium (Debian's, driven by playwright-core) opens each
// SVG with no error and draws it whole. The screenshots are kept beside the
// test binary (plot_swarm.png, plot_sweep.png).
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// Runs `shoal swarm <args>` to its end: what it printed.
std::string run_swarm(const TempDir& dir, std::vector<std::string> args,
                      std::chrono::seconds timeout) {
  args.insert(args.begin(), {SHOAL_BINARY, "swarm", "--dir", dir / "run"});
  auto swarm = Process::spawn(args, dir / "swarm.log");
  EXPECT_TRUE(swarm) << swarm.error();
  if (!swarm) return "";
  const std::string out = swarm->read_rest();
  EXPECT_EQ(swarm->wait(timeout), 0) << read_file(dir / "swarm.log") << out;
  return out;
}

// Opens `svg` in Chromium and screenshots it to `shot` (beside the test
// binary): what web/tests/screenshot.mjs says it rendered.
nlohmann::json render(const std::string& svg, const std::string& shot) {
  const std::string path = (std::filesystem::current_path() / shot).string();
  std::filesystem::remove(path);
  const std::string out =
      run_shell("node " SHOAL_WEB_DIR "/tests/screenshot.mjs file://" + svg + " " + path + " 2>&1");
  auto json =
      nlohmann::json::parse(out.substr(std::min(out.rfind('{'), out.size())), nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << out;
  if (json.is_discarded()) return json;
  EXPECT_EQ(json["root"], "svg") << out;
  EXPECT_FALSE(json["parseError"].get<bool>()) << out;
  EXPECT_TRUE(json["pageErrors"].empty()) << out;
  EXPECT_GT(std::filesystem::exists(path) ? std::filesystem::file_size(path) : 0, 20'000u)
      << "screenshot " << path;
  std::cout << "rendered " << svg << ": " << json.dump() << "; screenshot " << path << "\n";
  return json;
}

TEST(Plot, ASwarmOfTwentyIsDrawnAndChromiumRendersIt) {
  TempDir dir;
  const std::string svg = dir / "r.svg";
  const std::string out = run_swarm(
      dir, {"--peers", "20", "--duration", "20", "--plot", svg, "--json", dir / "report.json"},
      120s);
  EXPECT_NE(out.find("figure: " + svg), std::string::npos) << out;
  // The source's history covers the run, second by second.
  const auto report = read_json(dir / "report.json");
  ASSERT_TRUE(report.is_object()) << out;
  const auto& history = report["source"]["history"];
  EXPECT_GE(history["end_s"].size(), 26u) << history.dump();
  EXPECT_GT(*std::ranges::max_element(history["viewers"]), 15) << history.dump();
  EXPECT_GT(*std::ranges::max_element(history["bytes_delivered"]), 0) << history.dump();

  const auto rendered = render(svg, "plot_swarm.png");
  ASSERT_FALSE(rendered.is_discarded());
  EXPECT_EQ(rendered["width"], 1000);
  EXPECT_GT(rendered["height"].get<double>(), 600);
  // Frames, ticks and grids of four panels, a bar per viewer, five lines.
  EXPECT_GT(rendered["elements"].get<int>(), 60);
  EXPECT_GT(rendered["texts"].get<int>(), 50);
}

TEST(Plot, ASweepOfTenAndThirtyRunsAndDrawsBothModes) {
  TempDir dir;
  const std::string svg = dir / "sweep.svg";
  const std::string out = run_swarm(dir,
                                    {"--sweep", "10,30", "--duration", "10", "--decoders", "0",
                                     "--plot", svg, "--json", dir / "sweep.json"},
                                    280s);
  const auto reports = read_json(dir / "sweep.json");
  ASSERT_TRUE(reports.is_array()) << out;
  ASSERT_EQ(reports.size(), 4u) << out;
  const std::pair<int, std::string> runs[] = {
      {10, "p2p"}, {10, "client-server"}, {30, "p2p"}, {30, "client-server"}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(reports[i]["peers"], runs[i].first);
    EXPECT_EQ(reports[i]["mode"], runs[i].second);
  }
  // The baseline makes a copy per viewer; the swarm far fewer.
  EXPECT_GT(reports[3]["source_copies"].get<double>(),
            3 * reports[2]["source_copies"].get<double>())
      << out;
  const std::string figure = read_file(svg);
  for (const char* text : {">p2p<", ">client-server<", ">10<", ">30<", ">Source copies"}) {
    EXPECT_NE(figure.find(text), std::string::npos) << text;
  }
  const auto rendered = render(svg, "plot_sweep.png");
  ASSERT_FALSE(rendered.is_discarded());
  EXPECT_EQ(rendered["width"], 1000);
  EXPECT_GT(rendered["elements"].get<int>(), 20);
}

}  // namespace
}  // namespace shoal::testing
