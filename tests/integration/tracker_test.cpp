// The real `shoal tracker` process under hostile input: garbage, an oversized
// frame and a flood of connections close only the offending connections,
// and the tracker goes on answering ANNOUNCE; SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.h"
#include "hostile.h"
#include "wire_client.h"

namespace shoal::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

AnnounceMsg announce(uint64_t peer, uint16_t port) {
  ChannelId channel;
  channel.fill(7);
  return AnnounceMsg{kProtocolVersion, channel, PeerId(peer), port};
}

// ANNOUNCE on a new connection; the reply, or nullopt if the connection
// closed or nothing came within 5 s.
std::optional<Message> ask(asio::io_context& io, const Endpoint& at, const AnnounceMsg& m,
                           const char* from = "127.0.0.1") {
  WireClient client(dial(io, at, from));
  if (!client.send(m) || !readable_within(client.socket(), 5s)) return std::nullopt;
  auto reply = client.receive();
  if (!reply) return std::nullopt;
  return *reply;
}

std::vector<std::string> peers_in(const std::optional<Message>& m) {
  const auto* peers = m ? std::get_if<PeersMsg>(&*m) : nullptr;
  EXPECT_TRUE(peers) << (m ? message_name(*m) : "no reply");
  return peers ? peers->addrs : std::vector<std::string>{};
}

TEST(Tracker, SurvivesGarbageAnOversizedFrameAndAConnectionFlood) {
  TempDir dir;
  auto tracker = Process::spawn(
      {SHOAL_BINARY, "tracker", "--listen", "127.0.0.1:0", "--stats-json", dir / "stats.json"},
      dir / "tracker.log");
  ASSERT_TRUE(tracker) << tracker.error();
  const auto line = tracker->read_line(10s);
  ASSERT_TRUE(line) << read_file(dir / "tracker.log");
  const auto at = Endpoint::parse(*line);
  ASSERT_TRUE(at) << *line;
  asio::io_context io;
  EXPECT_TRUE(peers_in(ask(io, *at, announce(1, 7001))).empty());

  tcp::socket garbage = dial(io, *at);
  asio::write(garbage, asio::buffer(undecodable_frame()));
  EXPECT_TRUE(closed_within(std::move(garbage), 5s));

  tcp::socket oversized = dial(io, *at);
  boost::system::error_code ignored;  // it may close before all of this is sent
  asio::write(oversized, asio::buffer(oversized_frame_start()), ignored);
  EXPECT_TRUE(closed_within(std::move(oversized), 5s));
  EXPECT_EQ(peers_in(ask(io, *at, announce(2, 7002))), std::vector<std::string>{"127.0.0.1:7001"});

  std::vector<tcp::socket> flood;
  for (int i = 0; i < 300; ++i) flood.push_back(dial(io, *at));
  // All but the 8 that one address may hold are closed at once.
  EXPECT_GE(count_closed(flood, 292, 10s), 292u);
  // Meanwhile another address is served.
  EXPECT_EQ(peers_in(ask(io, *at, announce(3, 7003), "127.0.0.2")).size(), 2u);
  // And the flooding address is served again once its connections close.
  flood.clear();
  std::optional<Message> reply;
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    reply = ask(io, *at, announce(4, 7004));
    if (reply) break;
  }
  EXPECT_EQ(peers_in(reply).size(), 3u);
  EXPECT_FALSE(tracker->wait(0ms)) << "the tracker died";

  tracker->signal(SIGTERM);
  ASSERT_EQ(tracker->wait(10s), 0) << read_file(dir / "tracker.log");
  const auto stats = read_json(dir / "stats.json");
  ASSERT_FALSE(stats.is_discarded()) << read_file(dir / "tracker.log");
  EXPECT_EQ(stats["announces"], 4) << stats.dump();
  EXPECT_GE(stats["refused"].get<int>(), 292) << stats.dump();
  EXPECT_EQ(stats["channels"], 1) << stats.dump();
  EXPECT_EQ(stats["peers"], 4) << stats.dump();
}

TEST(Tracker, ABadListenAddressIsAUsageError) {
  for (const char* listen : {"7070", "tracker.example:7070", "127.0.0.1:70000"}) {
    auto tracker = Process::spawn({SHOAL_BINARY, "tracker", "--listen", listen});
    ASSERT_TRUE(tracker) << tracker.error();
    EXPECT_EQ(tracker->wait(10s), 2) << listen;
  }
}

}  // namespace
}  // namespace shoal::testing
