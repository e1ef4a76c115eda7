// Every node ends within 2 s of SIGTERM whatever state its neighbours are in
// (one of them frozen with SIGSTOP, reading nothing), and at once on a second
// signal; a 16-node DHT ring stopped all at once leaves no process behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// SIGTERM to `p`; how long it took to exit, or nullopt after 5 s.
std::optional<std::chrono::milliseconds> stop_time(Process& p) {
  const auto start = Clock::now();
  p.signal(SIGTERM);
  if (!p.wait(5s)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

TEST(Shutdown, EveryNodeEndsWithinTwoSecondsOfSigtermThoughANeighbourIsFrozen) {
  TempDir dir;
  auto tracker = Process::spawn({SHOAL_BINARY, "tracker", "--listen", "127.0.0.1:0"}, dir / "tracker.log");
  ASSERT_TRUE(tracker);
  const auto tracker_at = tracker->read_line(10s);
  ASSERT_TRUE(tracker_at);
  auto dht = start_dht_node({"--listen", "127.0.0.1:0"}, dir / "dht.log");
  ASSERT_TRUE(dht);
  auto source = start_source({"--input", "testsrc", "--tracker", *tracker_at, "--dht",
                              dht->at.to_string()},
                             dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::vector<Process> viewers;
  for (int i = 0; i < 3; ++i) {
    viewers.push_back(start_peer(source->uri.to_string(), {"--sink", i == 0 ? "fake" : "none"},
                                 dir / ("viewer" + std::to_string(i) + ".log")));
  }
  std::this_thread::sleep_for(8s);
  viewers[2].signal(SIGSTOP);  // reads nothing, answers nothing
  std::this_thread::sleep_for(1s);
  for (auto* p : {&viewers[0], &viewers[1], &source->process, &*tracker, &dht->process}) {
    const auto took = stop_time(*p);
    ASSERT_TRUE(took) << "still running 5 s after SIGTERM";
    EXPECT_LE(took->count(), 2000);
    std::cout << "stopped in " << took->count() << " ms\n";
  }
  viewers[2].signal(SIGCONT);
  viewers[2].signal(SIGKILL);
}

TEST(Shutdown, ASecondSignalEndsANodeAtOnce) {
  TempDir dir;
  auto source = start_source({"--input", "testsrc"}, dir / "source.log");
  ASSERT_TRUE(source);
  Process viewer = start_peer(source->uri.to_string(), {"--sink", "none"}, dir / "viewer.log");
  std::this_thread::sleep_for(4s);
  const auto start = Clock::now();
  viewer.signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  viewer.signal(SIGTERM);
  EXPECT_EQ(viewer.wait(2s), 128 + SIGTERM);
  EXPECT_LT(Clock::now() - start, 600ms) << "its hand-over is not waited for";
}

TEST(Shutdown, ARingOfSixteenStoppedAllAtOnceLeavesNoProcess) {
  TempDir dir;
  std::vector<RunningDhtNode> ring;
  for (int i = 0; i < 16; ++i) {
    std::vector<std::string> args{"--listen", "127.0.0.1:0", "--stabilize-ms", "100"};
    if (!ring.empty()) args.insert(args.end(), {"--bootstrap", ring.front().at.to_string()});
    auto node = start_dht_node(args, dir / ("dht" + std::to_string(i) + ".log"));
    ASSERT_TRUE(node);
    ring.push_back(std::move(*node));
  }
  EXPECT_TRUE(eventually([&] { return dht_ring_settled(ring); }, 30s));
  for (auto& n : ring) n.process.signal(SIGTERM);
  const auto deadline = Clock::now() + 3s;
  for (size_t i = 0; i < ring.size(); ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    EXPECT_TRUE(ring[i].process.wait(std::max(left, 0ms))) << "node " << i << " still running\n"
                                                           << read_file(dir / ("dht" + std::to_string(i) + ".log"));
  }
}

}  // namespace
}  // namespace shoal::testing
