// The simulated transport: frames arrive a latency after they are written,
// writes complete later, closes follow the data, dials to nobody are
// refused, the clocks read simulated time, and the real Uplink runs on it.
#include "sim/sim_transport.h"

#include <gtest/gtest.h>

#include "overlay/transport/uplink.h"

namespace shoal::sim {
namespace {

using namespace std::chrono_literals;

const WallTime kEpoch{std::chrono::milliseconds(1'800'000'000'000)};

// What a node heard from its transport, with the simulated time of each.
struct Heard : LinkEvents {
  explicit Heard(EventQueue& q) : queue(q) {}
  void on_accepted(ConnId c, const Endpoint& remote) override { note("accepted", c, remote.host); }
  void on_dialled(ConnId c, const Endpoint& to) override { note("dialled", c, to.to_string()); }
  void on_dial_failed(const Endpoint& to, const DialError& error) override {
    note("failed", ConnId(0), to.to_string() + " " + error.why);
  }
  void on_message(ConnId c, const Message& m, size_t bytes) override {
    note(message_name(m), c, std::to_string(bytes));
  }
  void on_written(ConnId c) override { note("written", c, ""); }
  void on_closed(ConnId c, const std::string& reason) override { note("closed", c, reason); }
  void note(const std::string& what, ConnId c, const std::string& detail) {
    events.push_back({what, c, detail, queue.now()});
  }
  struct Event {
    std::string what;
    ConnId conn;
    std::string detail;
    SimTime at;
  };
  const Event* find(const std::string& what) const {
    for (const Event& e : events) {
      if (e.what == what) return &e;
    }
    return nullptr;
  }
  EventQueue& queue;
  std::vector<Event> events;
};

class SimTransportTest : public ::testing::Test {
 protected:
  SimTransportTest() {
    server_.attach(server_heard_);
    client_.attach(client_heard_);
    server_.start_accepting();
  }

  // The client dials the server; both ends' ids once connected.
  std::pair<ConnId, ConnId> connect() {
    client_.dial(server_.address());
    queue_.run_until(queue_.now() + 10ms);
    return {client_heard_.find("dialled")->conn, server_heard_.find("accepted")->conn};
  }

  Frame frame(Message m, size_t bytes) { return {std::make_shared<const Message>(m), bytes}; }

  EventQueue queue_{kEpoch};
  SimNetwork network_{queue_, LatencyModel(5ms, 5ms, 1)};
  SimTransport server_{network_, {"127.0.0.1", 7000}};
  SimTransport client_{network_, {"127.0.1.1", 0}};
  Heard server_heard_{queue_}, client_heard_{queue_};
};

TEST_F(SimTransportTest, ADialReachesTheListenerAfterOneLatency) {
  client_.dial(server_.address());
  queue_.run_until(10ms);
  ASSERT_TRUE(server_heard_.find("accepted"));
  EXPECT_EQ(server_heard_.find("accepted")->at, 5ms);
  EXPECT_EQ(server_heard_.find("accepted")->detail, "127.0.1.1");
  ASSERT_TRUE(client_heard_.find("dialled"));
  EXPECT_EQ(client_heard_.find("dialled")->at, 5ms);
}

TEST_F(SimTransportTest, ADialToNobodyIsRefusedAfterTwoLatencies) {
  client_.dial({"127.0.0.9", 1});
  queue_.run_until(20ms);
  ASSERT_TRUE(client_heard_.find("failed"));
  EXPECT_EQ(client_heard_.find("failed")->at, 10ms);
  EXPECT_EQ(client_heard_.find("failed")->detail, "127.0.0.9:1 connection refused");
}

TEST_F(SimTransportTest, AFrameArrivesALatencyAfterItsWriteWhichCompletesLater) {
  const auto [c, s] = connect();
  const SimTime t0 = queue_.now();
  client_.write(c, frame(HaveMsg{}, 42));
  EXPECT_FALSE(client_heard_.find("written")) << "never inside write()";
  queue_.run_until(t0 + 10ms);
  ASSERT_TRUE(client_heard_.find("written"));
  EXPECT_EQ(client_heard_.find("written")->at, t0);
  ASSERT_TRUE(server_heard_.find("HAVE"));
  EXPECT_EQ(server_heard_.find("HAVE")->at, t0 + 5ms);
  EXPECT_EQ(server_heard_.find("HAVE")->detail, "42");
}

TEST_F(SimTransportTest, AClosedConnectionsOtherEndSeesItCloseBehindTheData) {
  const auto [c, s] = connect();
  client_.write(c, frame(ByeMsg{"bye"}, 10));
  client_.close(c);
  queue_.run_until(queue_.now() + 20ms);
  ASSERT_EQ(server_heard_.events.size(), 3u);
  EXPECT_EQ(server_heard_.events[1].what, "BYE");
  EXPECT_EQ(server_heard_.events[2].what, "closed");
  EXPECT_EQ(server_heard_.events[2].detail, "closed by remote");
  EXPECT_FALSE(client_heard_.find("closed")) << "no event for a connection the node closed";
  EXPECT_FALSE(client_heard_.find("written")) << "nor for a write on it";
}

TEST_F(SimTransportTest, AFullDownlinkPassesFramesAtItsRateInOrderAndTheCloseBehindThem) {
  SimTransport slow{network_, {"127.0.1.2", 0}, 100'000};  // 100 kB/s: 10 ms per kB
  Heard heard{queue_};
  slow.attach(heard);
  slow.dial(server_.address());
  queue_.run_until(queue_.now() + 10ms);
  const ConnId s = server_heard_.events.back().conn;
  const SimTime t0 = queue_.now();
  server_.write(s, frame(HaveMsg{}, 1000));
  server_.write(s, frame(ChokeMsg{}, 2000));
  server_.close(s);
  queue_.run_until(t0 + 100ms);
  ASSERT_EQ(heard.events.size(), 4u);  // dialled, HAVE, CHOKE, closed
  // The first crossed the idle downlink while it was sent; the second, sent
  // with it, finds the downlink full and takes its own 20 ms after it.
  EXPECT_EQ(heard.events[1].what, "HAVE");
  EXPECT_EQ(heard.events[1].at, t0 + 5ms);
  EXPECT_EQ(heard.events[2].what, "CHOKE");
  EXPECT_EQ(heard.events[2].at, t0 + 5ms + 20ms);
  EXPECT_EQ(heard.events[3].what, "closed");
  EXPECT_EQ(heard.events[3].at, t0 + 5ms + 20ms);
}

TEST_F(SimTransportTest, AKilledNodeHearsNothingMoreAndItsPeersSeeItGo) {
  const auto [c, s] = connect();
  client_.kill();
  server_.write(s, frame(HaveMsg{}, 10));
  queue_.run_until(queue_.now() + 20ms);
  EXPECT_FALSE(client_heard_.find("HAVE"));
  ASSERT_TRUE(server_heard_.find("closed"));
}

TEST_F(SimTransportTest, EnginesSeeWholeMillisecondsAndTimersKeepMicroseconds) {
  queue_.run_until(SimTime(2999));
  EXPECT_EQ(server_.wall_now(), kEpoch + 2ms);
  auto timer = server_.timer();
  SimTime fired{-1};
  timer->arm(server_.mono_now() + std::chrono::nanoseconds(1500), [&] { fired = queue_.now(); });
  queue_.run_until(10ms);
  EXPECT_EQ(fired, SimTime(3001)) << "rounded up to the microsecond";
  timer->arm(server_.mono_now() + 1ms, [&] { fired = SimTime(-2); });
  timer->cancel();
  queue_.run_until(20ms);
  EXPECT_EQ(fired, SimTime(3001));
}

TEST_F(SimTransportTest, TheRealUplinkRunsOnSimulatedTime) {
  Uplink uplink(server_, 100'000);
  std::vector<SimTime> granted;
  uplink.charge(16 * 1024);  // a control frame empties the bucket
  uplink.acquire(80'000, [&] { granted.push_back(queue_.now()); });
  uplink.acquire(1'000, [&] { granted.push_back(queue_.now()); });
  queue_.run_until(2s);
  ASSERT_EQ(granted.size(), 2u);
  // Full again after 16 KiB of tokens; then 80 000 - 16 384 bytes of debt
  // and 1 000 bytes more before the second goes.
  EXPECT_NEAR(granted[0].count(), 163'840, 2);
  EXPECT_NEAR((granted[1] - granted[0]).count(), 646'160, 2);
}

}  // namespace
}  // namespace shoal::sim
