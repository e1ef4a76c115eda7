// Trackerless discovery (issue 4): a source and 8 viewer processes find each
// other through a 16-node DHT and stream on time; in a swarm with both a
// tracker and a DHT, killing the tracker does not keep new viewers out.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.h"
#include "media/chunk_signature.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

std::vector<RunningDhtNode> start_dht(const TempDir& dir, int n) {
  std::vector<RunningDhtNode> nodes;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> args{"--stabilize-ms", "200"};
    if (!nodes.empty()) {
      args.push_back("--bootstrap");
      args.push_back(nodes[static_cast<size_t>(i) % nodes.size()].at.to_string());
    }
    auto node = start_dht_node(args, dir / ("dht" + std::to_string(i) + ".log"));
    EXPECT_TRUE(node) << "DHT node " << i << " did not start";
    if (!node) return {};
    nodes.push_back(std::move(*node));
  }
  return nodes;
}

// Viewer i listens on its own loopback address, as `shoal swarm` places them.
Process start_viewer(const TempDir& dir, const std::string& uri, int i,
                     const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"--sink",       "none",
                                "--duration",   "20",
                                "--listen",     "127.0.2." + std::to_string(i + 1) + ":0",
                                "--stats-json", dir / ("peer" + std::to_string(i) + ".json")};
  args.insert(args.end(), extra.begin(), extra.end());
  return start_peer(uri, args, dir / ("peer" + std::to_string(i) + ".log"));
}

// How many contacts the DHT holds under the channel's key, by a GET through `via`.
size_t contacts_under(const ChannelId& channel, const Endpoint& via) {
  const auto r = ask_dht(via, GetMsg{to_hex(channel)});
  const auto* got = r ? std::get_if<GetResultMsg>(&*r) : nullptr;
  return got ? got->values.size() : 0;
}

void expect_played_on_time(const TempDir& dir, int i) {
  SCOPED_TRACE("viewer " + std::to_string(i));
  const auto stats = read_json(dir / ("peer" + std::to_string(i) + ".json"));
  ASSERT_TRUE(stats.is_object()) << read_file(dir / ("peer" + std::to_string(i) + ".log"));
  EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
  EXPECT_GT(stats["chunks_due"].get<int>(), 20) << stats.dump();
  EXPECT_GT(stats["bytes_from_peers"].get<int64_t>(), 0) << stats.dump();
}

TEST(DhtSwarm, EightViewersFindEachOtherThroughASixteenNodeDhtWithNoTracker) {
  TempDir dir;
  auto dht = start_dht(dir, 16);
  ASSERT_EQ(dht.size(), 16u);
  ASSERT_TRUE(eventually([&] { return dht_ring_settled(dht); }, 30s)) << "the ring never settled";
  auto source = start_source({"--input", "testsrc", "--listen", "127.0.0.1:0", "--dht",
                              dht[3].at.to_string(), "--linger-sec", "1"},
                             dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  ASSERT_FALSE(source->uri.tracker);
  ASSERT_EQ(source->uri.dht, dht[3].at);
  std::vector<Process> viewers;
  for (int i = 0; i < 8; ++i) {
    // Half are told another DHT node than the URI's: any node will do.
    viewers.push_back(
        start_viewer(dir, source->uri.to_string(), i,
                     i % 2 ? std::vector<std::string>{"--dht", dht[8 + i].at.to_string()}
                           : std::vector<std::string>{}));
  }
  eventually([&] { return contacts_under(source->uri.channel, dht[12].at) == 9; }, 30s, 250ms);
  // Every viewer and the source are on record under the channel's key.
  const auto contacts = nlohmann::json::parse(
      run_shell(std::string(SHOAL_BINARY) + " dht get " + to_hex(source->uri.channel) + " --via " +
                dht[12].at.to_string()),
      nullptr, false);
  ASSERT_TRUE(contacts.is_array()) << contacts.dump();
  EXPECT_EQ(contacts.size(), 9u) << contacts.dump();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(viewers[static_cast<size_t>(i)].wait(40s), 0) << i;
  for (int i = 0; i < 8; ++i) expect_played_on_time(dir, i);
}

TEST(DhtSwarm, NewViewersStillJoinOnceTheTrackerIsKilled) {
  TempDir dir;
  auto dht = start_dht(dir, 4);
  ASSERT_EQ(dht.size(), 4u);
  auto tracker =
      Process::spawn({SHOAL_BINARY, "tracker", "--listen", "127.0.0.1:0"}, dir / "tracker.log");
  ASSERT_TRUE(tracker);
  const auto tracker_at = tracker->read_line(5s);
  ASSERT_TRUE(tracker_at);
  ASSERT_TRUE(eventually([&] { return dht_ring_settled(dht); }, 20s)) << "the ring never settled";
  auto source = start_source({"--input", "testsrc", "--listen", "127.0.0.1:0", "--tracker",
                              *tracker_at, "--dht", dht[0].at.to_string(), "--linger-sec", "1"},
                             dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  ASSERT_TRUE(source->uri.tracker && source->uri.dht);
  std::vector<Process> viewers;
  for (int i = 0; i < 3; ++i) viewers.push_back(start_viewer(dir, source->uri.to_string(), i));
  // The newcomers will find the swarm through the DHT alone: once the
  // source and the first three viewers are on record there.
  ASSERT_TRUE(
      eventually([&] { return contacts_under(source->uri.channel, dht[1].at) == 4; }, 30s, 250ms));
  tracker->signal(SIGKILL);
  ASSERT_TRUE(tracker->wait(5s));
  for (int i = 3; i < 6; ++i) viewers.push_back(start_viewer(dir, source->uri.to_string(), i));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(viewers[static_cast<size_t>(i)].wait(40s), 0) << i;
  for (int i = 0; i < 6; ++i) expect_played_on_time(dir, i);
  // The newcomers said why the tracker failed them, and went on.
  EXPECT_NE(read_file(dir / "peer4.log").find("tracker"), std::string::npos);
}

}  // namespace
}  // namespace shoal::testing
