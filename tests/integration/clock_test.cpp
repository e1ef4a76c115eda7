// Viewers whose clocks disagree with the source's: one 7 s ahead, one 4 s
// behind (libfaketime's `faketime`), one stepped 3 s forward mid-stream (as
// NTP or a user would: the wall clock only), beside four ordinary viewers.
// Each plays on the source's clock: the test reads, on its own clock (the
// source's: same machine, not faked), when each chunk plays, and checks the
// true lag against --lag-ms.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"
#include "media/wall_clock.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kLagMs = 3000;
constexpr int kWatchSeconds = 24;

// Debian's libfaketime, under the multiarch directory.
std::optional<std::string> libfaketime() {
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/usr/lib", ec)) {
    const auto lib = dir.path() / "faketime" / "libfaketime.so.1";
    if (std::filesystem::exists(lib, ec)) return lib.string();
  }
  return std::nullopt;
}

struct Viewer {
  std::string name;
  std::chrono::milliseconds skew_at_end;  // its wall clock minus the source's
  Process process;
  std::vector<int64_t> true_lag_ms;  // per chunk, on the test's clock
  std::thread reader;
};

// The viewer's `--played -` lines, stamped on arrival.
void read_plays(Viewer& v) {
  while (const auto line = v.process.read_line(60s)) {
    const auto at = wall_now().time_since_epoch().count();
    std::istringstream in(*line);
    uint64_t seq = 0;
    int64_t capture_ms = 0;
    if (in >> seq >> capture_ms) v.true_lag_ms.push_back(at - capture_ms);
  }
}

TEST(Clock, ViewersPlayOnTheSourcesClockWhateverTheirOwnSays) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/faketime"))
      << "Debian's faketime is missing: scripts/install-deps.sh installs it";
  const auto lib = libfaketime();
  ASSERT_TRUE(lib) << "libfaketime.so.1 not found under /usr/lib/*/faketime";
  TempDir dir;
  auto source = start_source({"--input", "testsrc"}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::this_thread::sleep_for(3s);

  const std::string step_file = dir / "step";
  std::ofstream(step_file) << "+0\n";
  const auto peer = [&](std::vector<std::string> prefix, const std::string& name) {
    prefix.insert(prefix.end(),
                  {SHOAL_BINARY, "peer", source->uri.to_string(), "--sink", "none", "--duration",
                   std::to_string(kWatchSeconds), "--lag-ms", std::to_string(kLagMs), "--played",
                   "-", "--listen", "127.0.0.1:0", "--stats-json", dir / (name + ".json")});
    auto p = Process::spawn(prefix, dir / (name + ".log"));
    EXPECT_TRUE(p) << p.error();
    return std::move(*p);
  };
  std::vector<std::unique_ptr<Viewer>> viewers;
  const auto add = [&](std::string name, std::chrono::milliseconds skew,
                       std::vector<std::string> prefix) {
    viewers.push_back(std::make_unique<Viewer>(
        Viewer{.name = name, .skew_at_end = skew, .process = peer(std::move(prefix), name)}));
  };
  for (int i = 0; i < 4; ++i) add("viewer" + std::to_string(i), 0ms, {});
  add("ahead7s", 7000ms, {"/usr/bin/faketime", "-f", "+7s"});
  add("behind4s", -4000ms, {"/usr/bin/faketime", "-f", "-4s"});
  // A step moves the wall clock only: the monotonic one is left alone.
  add("stepped3s", 3000ms,
      {"/usr/bin/env", "LD_PRELOAD=" + *lib, "FAKETIME_TIMESTAMP_FILE=" + step_file,
       "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1"});
  for (auto& v : viewers) v->reader = std::thread(read_plays, std::ref(*v));

  std::this_thread::sleep_for(std::chrono::seconds(kWatchSeconds / 2));
  std::ofstream(step_file) << "+3\n";

  for (auto& v : viewers) {
    SCOPED_TRACE(v->name);
    v->reader.join();  // at the end of its stdout
    EXPECT_EQ(v->process.wait(30s), 0) << read_file(dir / (v->name + ".log"));
    const auto stats = read_json(dir / (v->name + ".json"));
    ASSERT_FALSE(stats.is_discarded()) << read_file(dir / (v->name + ".log"));
    EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
    // Its own figures are true ones.
    EXPECT_NEAR(stats["clock_offset_ms"].get<int64_t>(), v->skew_at_end.count(), 150) << stats.dump();
    EXPECT_NEAR(stats["lag_ms_p50"].get<int64_t>(), kLagMs, 150) << stats.dump();

    auto lags = v->true_lag_ms;
    ASSERT_GE(lags.size(), 30u) << read_file(dir / (v->name + ".log"));
    std::ranges::sort(lags);
    const int64_t p5 = lags[lags.size() / 20];
    const int64_t p50 = lags[lags.size() / 2];
    const int64_t p95 = lags[lags.size() * 19 / 20];
    std::cout << v->name << ": " << lags.size() << " chunks, true lag ms p5/p50/p95/max " << p5
              << " / " << p50 << " / " << p95 << " / " << lags.back() << "\n";
    EXPECT_NEAR(p5, kLagMs, 150);
    EXPECT_NEAR(p95, kLagMs, 150);
  }
}

}  // namespace
}  // namespace shoal::testing
