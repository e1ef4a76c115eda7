// DelayedTransport: every event from the network reaches the node a fixed
// delay later, in order; what the node does goes through at once.
#include "overlay/transport/delayed_transport.h"

#include <gtest/gtest.h>

#include "fake_transport.h"

namespace shoal {
namespace {

using namespace std::literals;

// Records what reached the node, with the time it did.
class Recorder : public LinkEvents {
 public:
  explicit Recorder(const Transport& clock) : clock_(clock) {}
  std::vector<std::pair<std::string, std::chrono::milliseconds>> seen;

  void on_accepted(ConnId, const Endpoint&) override { note("accepted"); }
  void on_dialled(ConnId, const Endpoint&) override { note("dialled"); }
  void on_dial_failed(const Endpoint&, const DialError&) override { note("dial failed"); }
  void on_message(ConnId, const Message& m, size_t) override { note(message_name(m)); }
  void on_written(ConnId) override { note("written"); }
  void on_closed(ConnId, const std::string&) override { note("closed"); }

 private:
  void note(std::string what) {
    seen.emplace_back(std::move(what), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           clock_.mono_now() - start_));
  }
  const Transport& clock_;
  MonoTime start_ = clock_.mono_now();
};

class DelayedTransportTest : public ::testing::Test {
 protected:
  testing::FakeTransport inner_;
  DelayedTransport delayed_{inner_, 50ms};
  Recorder node_{inner_};
  void SetUp() override { delayed_.attach(node_); }
};

TEST_F(DelayedTransportTest, EventsFromTheNetworkArriveTheDelayLaterInOrder) {
  const ConnId c = inner_.accept({"10.0.0.1", 1000});
  inner_.advance(10ms);
  inner_.node().on_message(c, HaveMsg{}, 20);
  inner_.node().on_message(c, ChokeMsg{}, 20);
  inner_.advance(20ms);
  inner_.node().on_closed(c, "closed by remote");
  EXPECT_TRUE(node_.seen.empty());
  inner_.advance(100ms);
  using P = std::pair<std::string, std::chrono::milliseconds>;
  EXPECT_EQ(node_.seen, (std::vector<P>{
                            {"accepted", 50ms}, {"HAVE", 60ms}, {"CHOKE", 60ms}, {"closed", 80ms}}));
}

TEST_F(DelayedTransportTest, WhatTheNodeDoesAndItsOwnWritesAreNotDelayed) {
  const ConnId c = inner_.connect({"10.0.0.1", 1000});
  inner_.advance(50ms);
  delayed_.write(c, Frame{std::make_shared<const Message>(HaveMsg{}), 20});
  ASSERT_EQ(inner_.written.size(), 1u);
  inner_.finish_writes();
  ASSERT_EQ(node_.seen.size(), 2u);
  EXPECT_EQ(node_.seen[1], std::pair("written"s, 50ms));
  delayed_.dial({"10.0.0.2", 1000});
  EXPECT_EQ(inner_.dials.size(), 1u);
}

TEST_F(DelayedTransportTest, NothingReachesTheNodeForAConnectionItClosed) {
  const ConnId c = inner_.connect({"10.0.0.1", 1000});
  inner_.advance(60ms);
  inner_.node().on_message(c, HaveMsg{}, 20);
  inner_.node().on_closed(c, "closed by remote");
  delayed_.close(c);
  inner_.advance(100ms);
  ASSERT_EQ(node_.seen.size(), 1u);
  EXPECT_EQ(node_.seen[0].first, "dialled");
  EXPECT_TRUE(inner_.closed.contains(c));
}

TEST(DelayedTransport, WithNoDelayEveryEventGoesOnAtOnce) {
  testing::FakeTransport inner;
  DelayedTransport delayed(inner, 0ms);
  Recorder node(inner);
  delayed.attach(node);
  const ConnId c = inner.accept({"10.0.0.1", 1000});
  inner.node().on_message(c, HaveMsg{}, 20);
  EXPECT_EQ(node.seen.size(), 2u);
  EXPECT_EQ(inner.armed_timers(), 0u);
}

}  // namespace
}  // namespace shoal
