// The real `shoal tracker` process under hostile input: garbage, an oversized
// frame and a flood of connections close only the offending connections,
// and the tracker goes on answering ANNOUNCE; SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include "harness.h"
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

// A connection to `to` from the local address `from` (any of 127.0.0.0/8
// reaches a loopback tracker, and the tracker tells them apart).
tcp::socket dial(asio::io_context& io, const Endpoint& to, const char* from = "127.0.0.1") {
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) socket.bind({asio::ip::make_address(from), 0}, ec);
  if (!ec) socket.connect({asio::ip::make_address(to.host), to.port}, ec);
  EXPECT_FALSE(ec) << "connect from " << from << ": " << ec.message();
  return socket;
}

bool readable_within(tcp::socket& socket, std::chrono::milliseconds timeout) {
  pollfd p{socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

// Waits until `want` of `sockets` are closed by the tracker (reading and
// dropping whatever it sends first); how many were by the deadline.
size_t count_closed(std::vector<tcp::socket>& sockets, size_t want,
                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<bool> closed(sockets.size(), false);
  size_t count = 0;
  while (count < want && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (closed[i]) continue;
      fds.push_back({sockets[i].native_handle(), POLLIN, 0});
      index.push_back(i);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max(left.count(), 0L))) <= 0) break;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      std::array<uint8_t, 256> buffer;
      boost::system::error_code ec;
      sockets[index[k]].read_some(asio::buffer(buffer), ec);
      if (ec) {
        closed[index[k]] = true;
        ++count;
      }
    }
  }
  return count;
}

bool closed_within(tcp::socket socket, std::chrono::milliseconds timeout) {
  std::vector<tcp::socket> one;
  one.push_back(std::move(socket));
  return count_closed(one, 1, timeout) == 1;
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
  const std::array<uint8_t, 12> undecodable{0,    0,    0,    8,    0xc1, 0xc1,
                                            0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1};
  asio::write(garbage, asio::buffer(undecodable));
  EXPECT_TRUE(closed_within(std::move(garbage), 5s));

  tcp::socket oversized = dial(io, *at);
  std::vector<uint8_t> frame(64 * 1024, 0);
  frame[0] = 0x04;                    // a 64 MiB body announced; the tracker reads no further
  boost::system::error_code ignored;  // it may close before all of this is sent
  asio::write(oversized, asio::buffer(frame), ignored);
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
