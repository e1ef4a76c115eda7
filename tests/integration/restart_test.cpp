// Nodes that crash and come back. A source SIGKILLed 12 s into a broadcast
// and started again 3 s later with the same key, input and port goes on from
// the channel's position (source_state.h). Its viewers keep running, their
// neighbours and their player: they wait at the live edge while it is gone
// and play its new chunks, whose numbers were never used before. A tracker
// killed and started again is announced to again and serves newcomers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

TEST(Restart, ASourceKilledAndStartedAgainKeepsItsViewersPlaying) {
  TempDir dir;
  const std::vector<std::string> args{"--input", "testsrc", "--listen",
                                      "127.0.0.1:" + std::to_string(free_port(SOCK_STREAM)),
                                      "--key", dir / "source.key"};
  auto source = start_source(args, dir / "source1.log");
  ASSERT_TRUE(source) << read_file(dir / "source1.log");
  std::vector<Process> viewers;
  for (int i = 0; i < 4; ++i) {
    const std::string n = std::to_string(i);
    viewers.push_back(start_peer(source->uri.to_string(),
                                 {"--sink", i == 0 ? "fake" : "none", "--played",
                                  dir / ("played" + n + ".txt"), "--stats-json",
                                  dir / ("viewer" + n + ".json")},
                                 dir / ("viewer" + n + ".log")));
  }
  std::this_thread::sleep_for(12s);
  source->process.signal(SIGKILL);
  source->process.wait(5s);
  std::this_thread::sleep_for(3s);
  auto again = start_source(args, dir / "source2.log");
  ASSERT_TRUE(again) << read_file(dir / "source2.log");
  EXPECT_EQ(again->uri.to_string(), source->uri.to_string()) << "the same channel, the same URI";
  EXPECT_NE(read_file(dir / "source2.log").find("the channel goes on from chunk"), std::string::npos);
  std::this_thread::sleep_for(15s);

  for (size_t i = 0; i < viewers.size(); ++i) {
    const std::string n = std::to_string(i);
    const std::string log = dir / ("viewer" + n + ".log");
    EXPECT_FALSE(viewers[i].wait(0ms)) << "viewer " << i << " kept running\n" << read_file(log);
    viewers[i].signal(SIGTERM);
    EXPECT_EQ(viewers[i].wait(5s), 0) << read_file(log);
    const auto played = read_played(dir / ("played" + n + ".txt"));
    size_t gap = 0;
    for (size_t k = 1; k < played.size(); ++k) {
      EXPECT_GT(played[k].seq, played[k - 1].seq) << "no number played twice";
      if (played[k].capture_ms - played[k - 1].capture_ms > 2500) gap = k;
    }
    ASSERT_GT(gap, 0u) << "viewer " << i << " played on after the crash\n" << read_file(log);
    EXPECT_GE(played.size() - gap, 15u) << "the new source's chunks were played";
    EXPECT_EQ(read_file(log).find("silent for"), std::string::npos)
        << "no neighbour was dropped while the source was away\n" << read_file(log);
    const auto stats = read_json(dir / ("viewer" + n + ".json"));
    const double due = stats["chunks_due"].get<double>();
    const double on_time = stats["chunks_on_time"].get<double>();
    EXPECT_GE(on_time / due, 0.98) << on_time << " of " << due << " on time outside the gap";
    std::cout << "viewer " << i << ": " << on_time << "/" << due << " on time; chunks "
              << played[gap - 1].seq << " then " << played[gap].seq << ", "
              << played[gap].capture_ms - played[gap - 1].capture_ms << " ms apart\n";
  }
  EXPECT_GT(read_json(dir / "viewer0.json")["frames_decoded"].get<int64_t>(), 600)
      << "the player decoded on across the restart";
  again->process.signal(SIGTERM);
  EXPECT_EQ(again->process.wait(3s), 0);
}

TEST(Restart, ATrackerKilledAndStartedAgainServesNewcomersWhileViewersPlayOn) {
  TempDir dir;
  const std::string at = "127.0.0.1:" + std::to_string(free_port(SOCK_STREAM));
  const auto tracker = [&](const std::string& name) {
    auto p = Process::spawn({SHOAL_BINARY, "tracker", "--listen", at, "--stats-json", dir / (name + ".json")},
                            dir / (name + ".log"));
    EXPECT_TRUE(p && p->read_line(10s));
    return std::move(*p);
  };
  Process first = tracker("tracker1");
  auto source = start_source({"--input", "testsrc", "--tracker", at}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::vector<Process> viewers;
  for (int i = 0; i < 3; ++i) {
    viewers.push_back(start_peer(source->uri.to_string(),
                                 {"--sink", "none", "--duration", "35", "--stats-json",
                                  dir / ("viewer" + std::to_string(i) + ".json")},
                                 dir / ("viewer" + std::to_string(i) + ".log")));
  }
  std::this_thread::sleep_for(8s);
  first.signal(SIGKILL);
  first.wait(5s);
  std::this_thread::sleep_for(3s);
  Process second = tracker("tracker2");
  // Every node announces again within its backoff (15 s at most).
  std::this_thread::sleep_for(16s);
  Process newcomer = start_peer(source->uri.to_string(), {"--sink", "none", "--duration", "6"},
                                dir / "newcomer.log");
  EXPECT_EQ(newcomer.wait(20s), 0);
  // It met the viewers: it dialled one the new tracker named, or one dialled
  // it first, as the source may ask a viewer to the moment a newcomer greets it.
  const std::string newcomer_log = read_file(dir / "newcomer.log");
  const std::string listening = "accepting neighbours on ";
  const size_t from = newcomer_log.find(listening);
  ASSERT_NE(from, std::string::npos) << newcomer_log;
  const size_t start = from + listening.size();
  const std::string address = newcomer_log.substr(start, newcomer_log.find('\n', start) - start);
  bool met = newcomer_log.find("connected to peer") != std::string::npos;
  for (int i = 0; i < 3; ++i) {
    met = met || read_file(dir / ("viewer" + std::to_string(i) + ".log"))
                         .find("connected to peer " + address) != std::string::npos;
  }
  EXPECT_TRUE(met) << "the newcomer met no viewer\n" << newcomer_log;
  for (size_t i = 0; i < viewers.size(); ++i) {
    EXPECT_EQ(viewers[i].wait(20s), 0);
    const auto stats = read_json(dir / ("viewer" + std::to_string(i) + ".json"));
    EXPECT_GE(stats["continuity"].get<double>(), 0.98) << stats.dump();
  }
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(3s), 0);
  EXPECT_GE(read_json(dir / "tracker2.json")["announces"].get<int64_t>(), 4)
      << "the source and the viewers announced to the new tracker";
}

}  // namespace
}  // namespace shoal::testing
