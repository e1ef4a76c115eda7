// A real viewer's port under hostile input: garbage, an oversized frame, a
// flood of connections and a flood of REQUESTs close only the offending
// connections; the viewer goes on playing, and a neighbour from another
// address still joins it and is served.
#include <gtest/gtest.h>

#include <thread>

#include "harness.h"
#include "hostile.h"
#include "wire_client.h"

namespace shoal::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The address a viewer accepts neighbours on, once its stats say it.
std::optional<Endpoint> listen_address(const std::string& stats_path) {
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    const auto stats = read_json(stats_path);
    if (!stats.is_discarded() && stats["listen"].is_string()) {
      if (auto at = Endpoint::parse(stats["listen"].get<std::string>())) return *at;
    }
    std::this_thread::sleep_for(200ms);
  }
  return std::nullopt;
}

TEST(PeerPort, SurvivesGarbageOversizedFramesAndFloodsWhileItPlays) {
  TempDir dir;
  auto source = start_source({"--input", "testsrc", "--key", dir / "source.key"},
                             dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::this_thread::sleep_for(3s);
  Process target = start_peer(source->uri.to_string(),
                              {"--sink", "fake", "--duration", "20", "--listen", "127.0.0.1:0",
                               "--stats-json", dir / "target.json"},
                              dir / "target.log");
  const auto at = listen_address(dir / "target.json");
  ASSERT_TRUE(at) << read_file(dir / "target.log");
  asio::io_context io;

  tcp::socket garbage = dial(io, *at, "127.0.0.5");
  asio::write(garbage, asio::buffer(undecodable_frame()));
  EXPECT_TRUE(closed_within(std::move(garbage), 5s));

  tcp::socket oversized = dial(io, *at, "127.0.0.5");
  boost::system::error_code ignored;  // it may close before all of this is sent
  asio::write(oversized, asio::buffer(oversized_frame_start()), ignored);
  EXPECT_TRUE(closed_within(std::move(oversized), 5s));

  // A greeted client asking for far more chunks than a neighbour ever would.
  WireClient greedy(dial(io, *at, "127.0.0.6"));
  ASSERT_TRUE(greedy.send(Hello{kProtocolVersion, source->uri.channel, PeerId(66), 0}));
  for (uint64_t seq = 0; seq < 1500; ++seq) greedy.send(RequestMsg{ChunkSeq(seq % 8)});
  EXPECT_TRUE(closed_within(std::move(greedy.socket()), 10s)) << "a REQUEST flood was served";

  // All but the 8 connections one address may hold are closed at once.
  std::vector<tcp::socket> flood;
  for (int i = 0; i < 300; ++i) flood.push_back(dial(io, *at, "127.0.0.7"));
  EXPECT_GE(count_closed(flood, 292, 10s), 292u);

  // Meanwhile a viewer on another address joins (the source points it at the
  // target) and is served by it.
  Process neighbour = start_peer(source->uri.to_string(),
                                 {"--sink", "fake", "--duration", "10", "--listen",
                                  "127.0.0.8:0", "--stats-json", dir / "neighbour.json"},
                                 dir / "neighbour.log");
  ASSERT_EQ(neighbour.wait(40s), 0) << read_file(dir / "neighbour.log");
  flood.clear();

  ASSERT_EQ(target.wait(40s), 0) << read_file(dir / "target.log");
  const auto stats = read_json(dir / "target.json");
  ASSERT_FALSE(stats.is_discarded()) << read_file(dir / "target.log");
  EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
  EXPECT_GT(stats["frames_decoded"].get<int>(), 10 * 30) << stats.dump();
  EXPECT_GE(stats["connections_refused"].get<int>(), 292) << stats.dump();
  EXPECT_GT(stats["bytes_uploaded"].get<int64_t>(), 0) << stats.dump();
  const std::string log = read_file(dir / "target.log");
  EXPECT_NE(log.find("flood: more requests in a second"), std::string::npos) << log;
  EXPECT_NE(log.find("refusing connections from 127.0.0.7"), std::string::npos) << log;
  const auto neighbour_stats = read_json(dir / "neighbour.json");
  EXPECT_GT(neighbour_stats["bytes_from_peers"].get<int64_t>(), 0) << neighbour_stats.dump();
}

TEST(PeerPort, AMaxPerAddressBelowOneIsAUsageError) {
  TempDir dir;
  const std::string uri = "shoal://" + std::string(64, 'a') + "?source=127.0.0.1:9";
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{SHOAL_BINARY, "peer", uri, "--sink", "fake"},
        std::vector<std::string>{SHOAL_BINARY, "source", "--input", "testsrc", "--key",
                                 dir / "source.key"}}) {
    auto ok = argv;
    ok.insert(ok.end(), {"--max-per-address", "1", "--help"});
    auto bad = argv;
    bad.insert(bad.end(), {"--max-per-address", "0"});
    auto p = Process::spawn(bad);
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->wait(10s), 2) << argv[1];
    auto q = Process::spawn(ok);
    ASSERT_TRUE(q) << q.error();
    EXPECT_EQ(q->wait(10s), 0) << argv[1];
  }
}

}  // namespace
}  // namespace shoal::testing
