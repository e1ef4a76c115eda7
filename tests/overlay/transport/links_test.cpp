// A node's links over a fake transport: what goes out in what order, what
// is counted, how links close, and how accepted ones are held to the
// per-address limits.
#include "overlay/transport/links.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "overlay/wire/codec.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;

ChunkMsg chunk(uint64_t seq, size_t bytes) {
  auto c = std::make_shared<Chunk>();
  c->seq = ChunkSeq(seq);
  c->payload.assign(bytes, 0x47);
  ChunkMsg m{std::move(c)};
  return m;
}

class LinksTest : public ::testing::Test {
 protected:
  LinksTest() { transport_.attach(runner_); }

  // What a runner does with the transport's events that Links takes: the
  // tests call Links for the rest.
  struct Runner : LinkEvents {
    void on_accepted(ConnId, const Endpoint&) override {}
    void on_dialled(ConnId, const Endpoint&) override {}
    void on_dial_failed(const Endpoint&, const DialError&) override {}
    void on_message(ConnId, const Message&, size_t) override {}
    void on_written(ConnId c) override { links->written(c); }
    void on_closed(ConnId c, const std::string& reason) override { links->lost(c, reason); }
    Links* links = nullptr;
  };

  Links& make(AddressLimitsConfig limits = {}) {
    links_ = std::make_unique<Links>(
        transport_, uplink_, "test", limits,
        Links::Handler{.on_chunk_sent = [this](ConnId c) { chunks_sent_.push_back(c); },
                       .on_closed = [this](ConnId c, const std::string& reason,
                                           const Links::Ended& e) {
                         ended_.push_back({c, reason, e});
                       }});
    runner_.links = links_.get();
    return *links_;
  }

  // Completes writes, and lets the uplink grant, until nothing moves.
  void settle() {
    for (int i = 0; i < 300; ++i) {
      transport_.finish_writes();
      transport_.advance(10ms);
    }
  }

  struct Ended {
    ConnId conn;
    std::string reason;
    Links::Ended what;
  };

  Runner runner_;
  FakeTransport transport_;
  Uplink uplink_{transport_, 100'000};
  std::vector<ConnId> chunks_sent_;
  std::vector<Ended> ended_;
  std::unique_ptr<Links> links_;
  const ConnId kA{1}, kB{2};
  const Endpoint kRemote{"10.0.0.1", 5000};
};

TEST_F(LinksTest, ControlFramesOvertakeChunksWaitingForTheUplink) {
  Links& links = make();
  links.open(kA, kRemote);
  uplink_.charge(16 * 1024);  // an empty bucket: chunks wait
  links.send(kA, chunk(1, 1000));
  links.send(kA, HaveMsg{{ChunkSeq(9)}, {}});
  links.send(kA, RejectMsg{ChunkSeq(3)});
  settle();
  ASSERT_EQ(transport_.written.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<HaveMsg>(*transport_.written[0].second.msg));
  EXPECT_TRUE(std::holds_alternative<RejectMsg>(*transport_.written[1].second.msg));
  EXPECT_TRUE(std::holds_alternative<ChunkMsg>(*transport_.written[2].second.msg));
  EXPECT_EQ(chunks_sent_, std::vector<ConnId>{kA});
}

TEST_F(LinksTest, ChunksOfTwoLinksShareTheUplinkFirstComeFirstServed) {
  Links& links = make();
  links.open(kA, kRemote);
  links.open(kB, kRemote);
  for (uint64_t i = 0; i < 3; ++i) {
    links.send(kA, chunk(i, 20'000));
    links.send(kB, chunk(10 + i, 20'000));
  }
  settle();
  std::vector<ConnId> order;
  for (const auto& [conn, frame] : transport_.written) order.push_back(conn);
  EXPECT_EQ(order, (std::vector<ConnId>{kA, kB, kA, kB, kA, kB}));
  EXPECT_EQ(uplink_.bytes_granted(), 6 * frame_size(chunk(0, 20'000)));
}

TEST_F(LinksTest, TrafficCountsFrameBytesSentWhenQueuedAndReceivedWhenTaken) {
  Links& links = make();
  links.open(kA, kRemote);
  const ChunkMsg c = chunk(1, 500);
  links.send(kA, c);
  links.send(kA, ByeMsg{"x"});
  EXPECT_TRUE(links.received(kA, HaveMsg{}, 30));
  EXPECT_TRUE(links.received(kA, c, 700));
  Traffic seen;
  links.for_each([&](ConnId, bool, const Traffic& t) { seen = t; });
  EXPECT_EQ(seen.chunk_out, frame_size(c));
  EXPECT_EQ(seen.control_out, frame_size(ByeMsg{"x"}));
  EXPECT_EQ(seen.control_in, 30u);
  EXPECT_EQ(seen.chunk_in, 700u);
}

TEST_F(LinksTest, ClosingFlushesWhatIsQueuedThenShutsAndReportsOnce) {
  Links& links = make();
  links.open(kA, kRemote);
  links.send(kA, chunk(1, 1000));
  links.send(kA, ByeMsg{"bye"});
  links.close(kA, "leaving");
  links.close(kA, "again");  // ignored
  links.send(kA, HaveMsg{});  // too late: dropped
  EXPECT_FALSE(links.received(kA, HaveMsg{}, 10)) << "a closing link takes nothing in";
  EXPECT_TRUE(transport_.closed.empty());
  settle();
  EXPECT_EQ(transport_.written.size(), 2u);
  EXPECT_TRUE(transport_.closed.contains(kA));
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, "leaving");
  EXPECT_EQ(ended_[0].what.traffic.control_in, 0u);
  EXPECT_FALSE(links.contains(kA));
}

TEST_F(LinksTest, CuttingALinkSendsItsControlFramesButNoneOfItsChunks) {
  Links& links = make();
  links.open(kA, kRemote);
  links.open(kB, kRemote);
  uplink_.charge(16 * 1024);  // an empty bucket: chunks wait
  links.send(kA, chunk(1, 20'000));
  links.send(kA, chunk(2, 20'000));
  links.send(kA, ByeMsg{"flood"});
  links.send(kB, chunk(3, 20'000));
  links.cut(kA, "flood");
  settle();
  ASSERT_EQ(transport_.written.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ByeMsg>(*transport_.written[0].second.msg));
  EXPECT_EQ(transport_.written[1].first, kB) << "B's chunk no longer waits behind A's";
  EXPECT_TRUE(transport_.closed.contains(kA));
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, "flood");
}

TEST_F(LinksTest, CuttingALinkAlreadyClosingStillShutsIt) {
  Links& links = make();
  links.open(kA, kRemote);
  uplink_.charge(16 * 1024);
  links.send(kA, chunk(1, 1000));
  links.close(kA, "leaving");
  links.cut(kA, "flood");
  EXPECT_TRUE(transport_.closed.contains(kA));
  EXPECT_EQ(uplink_.waiting(), 0u);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, "leaving");
}

TEST_F(LinksTest, ALostLinkGivesUpItsTurnAtTheUplink) {
  Links& links = make();
  links.open(kA, kRemote);
  uplink_.charge(16 * 1024);
  links.send(kA, chunk(1, 1000));
  EXPECT_EQ(uplink_.waiting(), 1u);
  links.lost(kA, "closed by remote");
  EXPECT_EQ(uplink_.waiting(), 0u);
  EXPECT_TRUE(transport_.closed.empty()) << "the transport closed it already";
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, "closed by remote");
  links.lost(kA, "twice");
  EXPECT_EQ(ended_.size(), 1u);
}

TEST_F(LinksTest, AcceptedLinksOverThePerAddressCapAreClosedAtOnce) {
  Links& links = make({.max_per_address = 2});
  EXPECT_TRUE(links.accept(ConnId(1), kRemote));
  EXPECT_TRUE(links.accept(ConnId(2), kRemote));
  EXPECT_FALSE(links.accept(ConnId(3), kRemote));
  EXPECT_TRUE(links.accept(ConnId(4), Endpoint{"10.0.0.2", 5000}));
  EXPECT_TRUE(transport_.closed.contains(ConnId(3)));
  EXPECT_EQ(links.refused(), 1u);
  // A slot comes free when one of them goes.
  links.lost(ConnId(1), "gone");
  EXPECT_TRUE(links.accept(ConnId(5), kRemote));
}

TEST_F(LinksTest, AnAcceptedLinkOverItsRequestBudgetGetsAnErrorAndIsClosed) {
  Links& links = make({.requests_per_second = 1, .request_burst = 3});
  ASSERT_TRUE(links.accept(kA, kRemote));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(links.received(kA, RequestMsg{ChunkSeq(i)}, 10));
  EXPECT_FALSE(links.received(kA, RequestMsg{ChunkSeq(3)}, 10));
  settle();
  const auto errors = transport_.sent<ErrorMsg>(kA);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "too many requests from 10.0.0.1");
  EXPECT_TRUE(transport_.closed.contains(kA));
}

TEST_F(LinksTest, ByeToEveryLinkOnCloseAll) {
  Links& links = make();
  links.open(kA, kRemote);
  links.open(kB, kRemote);
  links.close_all("broadcast over");
  settle();
  EXPECT_EQ(transport_.sent<ByeMsg>(kA).size(), 1u);
  EXPECT_EQ(transport_.sent<ByeMsg>(kB).size(), 1u);
  EXPECT_EQ(links.size(), 0u);
  EXPECT_EQ(ended_.size(), 2u);
}

}  // namespace
}  // namespace shoal
