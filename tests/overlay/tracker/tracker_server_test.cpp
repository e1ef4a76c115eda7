// TrackerServer and TrackerClient over real loopback sockets, all on one
// io_context driven by the test thread: every wait polls up to a deadline.
#include "overlay/tracker/tracker_server.h"

#include <gtest/gtest.h>

#include <optional>

#include "overlay/tracker/tracker_client.h"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

ChannelId channel(uint8_t fill) {
  ChannelId c;
  c.fill(fill);
  return c;
}

AnnounceMsg announce(uint64_t peer, uint16_t port, uint8_t ch = 1) {
  return AnnounceMsg{kProtocolVersion, channel(ch), PeerId(peer), port};
}

// What a test client's connection received.
struct Inbox {
  std::vector<Message> messages;
  bool closed = false;
};

struct Client {
  std::shared_ptr<Connection> conn;
  std::shared_ptr<Inbox> inbox;
  size_t received() const { return inbox->messages.size(); }
  const Message& last() const { return inbox->messages.back(); }
};

class TrackerServerTest : public ::testing::Test {
 protected:
  // Runs the io_context until `done()` or the timeout; done()'s last answer.
  template <typename Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return done();
      io_.run_one_for(10ms);
    }
    return true;
  }

  Endpoint start_server(TrackerServerConfig config = {}, Endpoint at = {"127.0.0.1", 0}) {
    server_.emplace(io_, config);
    auto bound = server_->listen(at);
    EXPECT_TRUE(bound) << bound.error();
    return bound ? *bound : Endpoint{};
  }

  tcp::socket raw_connect(const Endpoint& to) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address(to.host), to.port}, ec);
    EXPECT_FALSE(ec) << ec.message();
    return socket;
  }

  Client connect(const Endpoint& to) {
    auto inbox = std::make_shared<Inbox>();
    auto conn = Connection::start(
        raw_connect(to), {.on_message = [inbox](Message m, size_t) { inbox->messages.push_back(m); },
                          .on_closed = [inbox](const std::string&) { inbox->closed = true; }});
    return Client{conn, inbox};
  }

  // Sends `m` and waits for the answer.
  std::optional<Message> ask(const Client& c, const Message& m) {
    const size_t before = c.received();
    c.conn->send(m);
    if (!run_until([&] { return c.received() > before; })) return std::nullopt;
    return c.last();
  }

  std::vector<std::string> peers_in(const std::optional<Message>& m) {
    const auto* peers = m ? std::get_if<PeersMsg>(&*m) : nullptr;
    EXPECT_TRUE(peers) << (m ? message_name(*m) : "no reply");
    return peers ? peers->addrs : std::vector<std::string>{"(not PEERS)"};
  }

  // Reads from `socket` until the other end closes it; true if it did in time.
  bool closed_by_server(tcp::socket& socket, std::chrono::milliseconds timeout = 5s) {
    auto closed = std::make_shared<bool>(false);
    auto buffer = std::make_shared<std::array<uint8_t, 256>>();
    auto read = std::make_shared<std::function<void()>>();
    *read = [&socket, closed, buffer, read] {
      socket.async_read_some(asio::buffer(*buffer),
                             [closed, read](boost::system::error_code ec, size_t) {
                               if (ec) {
                                 *closed = true;
                               } else {
                                 (*read)();
                               }
                             });
    };
    (*read)();
    const bool done = run_until([&] { return *closed; }, timeout);
    socket.close();
    run_until([&] { return *closed; }, 1s);  // let the cancelled read finish
    *read = nullptr;                         // break the cycle
    return done;
  }

  asio::io_context io_;
  std::optional<TrackerServer> server_;
};

TEST_F(TrackerServerTest, AnnounceGetsPeersAndTheReannounceInterval) {
  const Endpoint at = start_server({.registry = {.ttl = 30s}});
  const Client a = connect(at);
  const auto reply = ask(a, announce(1, 7001));
  ASSERT_TRUE(reply);
  const auto* peers = std::get_if<PeersMsg>(&*reply);
  ASSERT_TRUE(peers) << message_name(*reply);
  EXPECT_TRUE(peers->addrs.empty());
  EXPECT_EQ(peers->reannounce_s, 10u);
  EXPECT_EQ(server_->stats().announces, 1u);
  EXPECT_EQ(server_->stats().peers, 1u);
  EXPECT_EQ(server_->stats().channels, 1u);
}

TEST_F(TrackerServerTest, TwoNodesSeeEachOtherButNotThemselves) {
  const Endpoint at = start_server();
  const Client a = connect(at), b = connect(at), other_channel = connect(at);
  EXPECT_TRUE(peers_in(ask(a, announce(1, 7001))).empty());
  EXPECT_TRUE(peers_in(ask(other_channel, announce(3, 7003, 2))).empty());
  EXPECT_EQ(peers_in(ask(b, announce(2, 7002))), std::vector<std::string>{"127.0.0.1:7001"});
  // Several announces on one connection; the address is the remote IP.
  EXPECT_EQ(peers_in(ask(a, announce(1, 7001))), std::vector<std::string>{"127.0.0.1:7002"});
  EXPECT_EQ(server_->stats().peers, 3u);
}

TEST_F(TrackerServerTest, ADualStackTrackerHandsOutIpv4AddressesAsIpv4) {
  server_.emplace(io_, TrackerServerConfig{});
  const auto bound = server_->listen({"::", 0});
  if (!bound) GTEST_SKIP() << "no IPv6 here: " << bound.error();
  const Endpoint at{"127.0.0.1", bound->port};
  const Client a = connect(at), b = connect(at);
  ASSERT_TRUE(peers_in(ask(a, announce(1, 7001))).empty());
  EXPECT_EQ(peers_in(ask(b, announce(2, 7002))), std::vector<std::string>{"127.0.0.1:7001"});
}

TEST_F(TrackerServerTest, SilentNodesExpire) {
  const Endpoint at = start_server({.registry = {.ttl = 300ms}, .sweep_interval = 50ms});
  const Client a = connect(at);
  const auto first = ask(a, announce(1, 7001));
  ASSERT_TRUE(first);
  EXPECT_EQ(std::get<PeersMsg>(*first).reannounce_s, 1u);  // never 0
  ASSERT_TRUE(run_until([&] { return server_->stats().peers == 0; }));
  EXPECT_EQ(server_->stats().channels, 0u);
  const Client b = connect(at);
  EXPECT_TRUE(peers_in(ask(b, announce(2, 7002))).empty());
}

TEST_F(TrackerServerTest, BadAnnouncesGetAnError) {
  const Endpoint at = start_server();
  const Client a = connect(at);
  auto reply = ask(a, announce(1, 0));
  ASSERT_TRUE(reply);
  ASSERT_TRUE(std::holds_alternative<ErrorMsg>(*reply));
  EXPECT_NE(std::get<ErrorMsg>(*reply).reason.find("listen_port 0"), std::string::npos);
  EXPECT_TRUE(peers_in(ask(a, announce(1, 7001))).empty());  // the connection stays

  const Client old = connect(at);
  AnnounceMsg v2 = announce(2, 7002);
  v2.version = 2;
  reply = ask(old, v2);
  ASSERT_TRUE(reply);
  ASSERT_TRUE(std::holds_alternative<ErrorMsg>(*reply));
  EXPECT_NE(std::get<ErrorMsg>(*reply).reason.find("version 2 is not supported"),
            std::string::npos);
  EXPECT_TRUE(run_until([&] { return old.inbox->closed; }));

  const Client peer = connect(at);
  reply = ask(peer, Hello{});
  ASSERT_TRUE(reply);
  ASSERT_TRUE(std::holds_alternative<ErrorMsg>(*reply));
  EXPECT_NE(std::get<ErrorMsg>(*reply).reason.find("only ANNOUNCE, not HELLO"), std::string::npos);
  EXPECT_TRUE(run_until([&] { return peer.inbox->closed; }));
  EXPECT_EQ(server_->stats().errors, 3u);
}

TEST_F(TrackerServerTest, BadFramesCloseOnlyTheirConnection) {
  const Endpoint at = start_server();
  const Client good = connect(at);
  ASSERT_TRUE(peers_in(ask(good, announce(1, 7001))).empty());

  tcp::socket garbage = raw_connect(at);
  const std::array<uint8_t, 9> bad_body{0, 0, 0, 5, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1};
  asio::write(garbage, asio::buffer(bad_body));
  EXPECT_TRUE(closed_by_server(garbage));
  EXPECT_TRUE(peers_in(ask(good, announce(1, 7001))).empty());

  tcp::socket oversized = raw_connect(at);
  const std::array<uint8_t, 4> huge_header{0x7f, 0xff, 0xff, 0xff};
  asio::write(oversized, asio::buffer(huge_header));
  EXPECT_TRUE(closed_by_server(oversized));
  EXPECT_TRUE(peers_in(ask(good, announce(1, 7001))).empty());
  EXPECT_FALSE(good.inbox->closed);
}

TEST_F(TrackerServerTest, AFloodBeyondThePerAddressLimitIsRefused) {
  const Endpoint at = start_server({.limits = {.max_per_address = 4}});
  const Client existing = connect(at);
  ASSERT_TRUE(peers_in(ask(existing, announce(1, 7001))).empty());

  std::vector<tcp::socket> flood;
  for (int i = 0; i < 20; ++i) flood.push_back(raw_connect(at));
  ASSERT_TRUE(run_until([&] { return server_->stats().refused == 17; }))
      << server_->stats().refused;
  EXPECT_EQ(server_->stats().connections, 4u);
  int closed = 0;
  for (auto& s : flood) closed += closed_by_server(s, 50ms);
  EXPECT_EQ(closed, 17);
  EXPECT_TRUE(peers_in(ask(existing, announce(1, 7001))).empty());
}

TEST_F(TrackerServerTest, ClosedConnectionsFreeTheirSlots) {
  const Endpoint at = start_server({.limits = {.max_per_address = 1}});
  {
    const Client first = connect(at);
    ASSERT_TRUE(ask(first, announce(1, 7001)));
    first.conn->close("done");
  }
  ASSERT_TRUE(run_until([&] { return server_->stats().connections == 0; }));
  const Client second = connect(at);
  EXPECT_EQ(peers_in(ask(second, announce(2, 7002))), std::vector<std::string>{"127.0.0.1:7001"});
}

TEST_F(TrackerServerTest, RequestsBeyondTheRateGetAnErrorThenTheConnectionCloses) {
  const Endpoint at = start_server({.limits = {.requests_per_second = 0.01, .request_burst = 2}});
  const Client c = connect(at);
  for (int i = 0; i < 4; ++i) c.conn->send(announce(1, 7001));
  ASSERT_TRUE(run_until([&] { return c.inbox->closed; }));
  ASSERT_EQ(c.received(), 4u);
  EXPECT_TRUE(std::holds_alternative<PeersMsg>(c.inbox->messages[1]));
  for (size_t i : {2, 3}) {
    const auto* error = std::get_if<ErrorMsg>(&c.inbox->messages[i]);
    ASSERT_TRUE(error);
    EXPECT_NE(error->reason.find("too many requests"), std::string::npos);
  }
}

TEST_F(TrackerServerTest, IdleConnectionsAreClosed) {
  const Endpoint at = start_server({.idle_timeout = 200ms, .sweep_interval = 50ms});
  tcp::socket silent = raw_connect(at);
  EXPECT_TRUE(closed_by_server(silent));
  EXPECT_EQ(server_->stats().connections, 0u);
}

TEST_F(TrackerServerTest, ClientsFindEachOtherAndReannounce) {
  const Endpoint at = start_server({.registry = {.ttl = 3s}});
  std::vector<std::vector<Endpoint>> got_a, got_b;
  TrackerClient a(io_, at, announce(1, 7001), [&](std::vector<Endpoint> p) { got_a.push_back(p); });
  TrackerClient b(io_, at, announce(2, 7002), [&](std::vector<Endpoint> p) { got_b.push_back(p); });
  a.start();
  ASSERT_TRUE(run_until([&] { return !got_a.empty(); }));
  EXPECT_TRUE(got_a[0].empty());
  b.start();
  ASSERT_TRUE(run_until([&] { return !got_b.empty(); }));
  EXPECT_EQ(got_b[0], (std::vector<Endpoint>{{"127.0.0.1", 7001}}));
  // ttl 3 s: a announces again after 1 s and then learns of b.
  ASSERT_TRUE(run_until([&] { return got_a.size() >= 2; }));
  EXPECT_EQ(got_a[1], (std::vector<Endpoint>{{"127.0.0.1", 7002}}));
  // One connection per round: none stays open between rounds.
  EXPECT_TRUE(run_until([&] { return server_->stats().connections == 0; }));
}

TEST_F(TrackerServerTest, AnnounceNowDoesNotWaitForTheSchedule) {
  const Endpoint at = start_server({.registry = {.ttl = 30s}});  // re-announce in 10 s
  int replies = 0;
  TrackerClient client(io_, at, announce(1, 7001), [&](std::vector<Endpoint>) { ++replies; });
  client.start();
  ASSERT_TRUE(run_until([&] { return replies == 1; }));
  client.announce_now();
  EXPECT_TRUE(run_until([&] { return replies == 2; }, 5s));
  client.stop();
  client.announce_now();  // stopped: no more rounds
  EXPECT_FALSE(run_until([&] { return replies == 3; }, 200ms));
}

TEST_F(TrackerServerTest, ClientSurvivesATrackerThatComesUpLater) {
  // A port known to be free a moment ago, for the tracker to take later.
  auto probe = Listener::open(io_, {"127.0.0.1", 0});
  ASSERT_TRUE(probe);
  const Endpoint at = (*probe)->local();
  probe->reset();

  std::vector<std::vector<Endpoint>> got;
  TrackerClient client(io_, at, announce(1, 7001),
                       [&](std::vector<Endpoint> p) { got.push_back(p); });
  client.start();
  run_until([] { return false; }, 200ms);  // the first attempt is refused
  EXPECT_TRUE(got.empty());
  start_server({}, at);
  EXPECT_TRUE(run_until([&] { return !got.empty(); }, 10s));
  EXPECT_EQ(server_->stats().announces, 1u);
}

TEST_F(TrackerServerTest, AClientDestroyedMidRoundLeavesNoWorkBehind) {
  auto probe = Listener::open(io_, {"127.0.0.1", 0});
  ASSERT_TRUE(probe);
  const Endpoint dead = (*probe)->local();
  probe->reset();
  {
    TrackerClient client(io_, dead, announce(1, 7001), [](std::vector<Endpoint>) {});
    client.start();
    io_.poll();
  }
  io_.run_for(5s);  // returns at once when nothing is pending
  EXPECT_TRUE(io_.stopped());
}

}  // namespace
}  // namespace shoal
