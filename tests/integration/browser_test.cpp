// A browser watches a viewer: headless Chromium (Debian's, driven by
// playwright-core) opens the page `shoal peer --http` serves, which plays
// the live HLS with hls.js; the video must advance and raise no error. The
// screenshot is kept beside the test binary (browser_test.png).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

TEST(Browser, ChromiumPlaysAViewersPageAndItsVideoAdvances) {
  TempDir dir;
  auto source = start_source({"--input", "testsrc"}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::this_thread::sleep_for(3s);
  Process viewer = start_peer(source->uri.to_string(),
                              {"--sink", "none", "--duration", "40", "--http", "127.0.0.1:0"},
                              dir / "viewer.log");
  const auto served = wait_for_log(dir / "viewer.log", "serving players on ", 10s);
  ASSERT_TRUE(served) << read_file(dir / "viewer.log");
  const std::string base = served->substr(0, served->find("/stream.ts"));
  // The playlist has its first segment a few seconds in, as when a person opens the page.
  ASSERT_TRUE(eventually(
      [&] { return run_shell("ffprobe -v error " + base + "/live.m3u8 2>&1; echo rc=$?").find("rc=0") != std::string::npos; },
      20s));

  const std::string shot = (std::filesystem::current_path() / "browser_test.png").string();
  std::filesystem::remove(shot);
  const std::string out =
      run_shell("node " SHOAL_WEB_DIR "/tests/play_page.mjs " + base + "/ " + shot + " 2>&1");
  const auto json = nlohmann::json::parse(out.substr(out.rfind('{')), nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << out;
  EXPECT_TRUE(json["started"].get<bool>()) << out;
  EXPECT_GE(json["advanced"].get<double>(), 5.0) << out;
  EXPECT_TRUE(json["mediaError"].is_null()) << out;
  EXPECT_TRUE(json["pageErrors"].empty()) << out;
  EXPECT_GT(std::filesystem::file_size(shot), 10'000u) << "screenshot " << shot;
  std::cout << "video advanced " << json["advanced"] << " s in 8 s; screenshot " << shot << "\n";
  viewer.signal(SIGTERM);
  viewer.wait(20s);
}

}  // namespace
}  // namespace shoal::testing
