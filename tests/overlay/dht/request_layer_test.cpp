// The request layer: each request under a fresh txid, an answer matched to
// its request only from where it went and of the kind it asks for, retries
// under new txids and then a timeout; all on a fake clock.
#include "overlay/dht/request_layer.h"

#include <gtest/gtest.h>

#include "chord_fixtures.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;

constexpr OpId kOp{7};

// The txid of the one datagram `rpc` has sent since the last take().
uint64_t sent_txid(RequestLayer& rpc) {
  const Outgoings out = rpc.take();
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? 0 : out.front().datagram.txid;
}

TEST(RequestLayer, TellsAnswersFromQuestions) {
  EXPECT_TRUE(is_answer(FoundMsg{}));
  EXPECT_TRUE(is_answer(PongMsg{}));
  EXPECT_TRUE(is_answer(DhtErrorMsg{"busy"}));
  EXPECT_FALSE(is_answer(PingMsg{}));
  EXPECT_FALSE(is_answer(NotifyMsg{}));
  // No node asks for a client's answer: it is not one here.
  EXPECT_FALSE(is_answer(LookupResultMsg{}));
}

TEST(RequestLayer, AnAnswerIsMatchedToItsRequestOnce) {
  RequestLayer rpc(400ms, 1, 1);
  rpc.request("node:14", FindSuccessorMsg{key(40)}, kStart, kOp);
  const uint64_t txid = sent_txid(rpc);

  const auto p = rpc.match("node:14", Datagram{txid, FoundMsg{true, node(42)}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to, "node:14");
  EXPECT_EQ(p->op, kOp);
  EXPECT_TRUE(std::holds_alternative<FindSuccessorMsg>(p->request));
  EXPECT_FALSE(rpc.match("node:14", Datagram{txid, FoundMsg{true, node(42)}}));
  EXPECT_EQ(rpc.unknown_replies(), 1u);
  EXPECT_FALSE(rpc.next_deadline());
}

TEST(RequestLayer, AnAnswerFromAnotherSenderIsNotMatchedAndIsCounted) {
  RequestLayer rpc(400ms, 1, 1);
  rpc.request("node:14", PingMsg{}, kStart);
  const uint64_t txid = sent_txid(rpc);

  EXPECT_FALSE(rpc.match("evil:1", Datagram{txid, PongMsg{}}));
  EXPECT_EQ(rpc.unknown_replies(), 1u);
  // The request still waits for the true answer.
  EXPECT_TRUE(rpc.match("node:14", Datagram{txid, PongMsg{}}));
}

TEST(RequestLayer, AnAnswerOfTheWrongKindIsNotMatchedAndIsCounted) {
  RequestLayer rpc(400ms, 1, 1);
  rpc.request("node:14", PingMsg{}, kStart);
  const uint64_t txid = sent_txid(rpc);

  EXPECT_FALSE(rpc.match("node:14", Datagram{txid, StateMsg{{}, {node(1)}}}));
  EXPECT_FALSE(rpc.match("node:14", Datagram{txid + 1, PongMsg{}}));
  EXPECT_EQ(rpc.unknown_replies(), 2u);
  // DHT_ERROR answers any question.
  EXPECT_TRUE(rpc.match("node:14", Datagram{txid, DhtErrorMsg{"busy"}}));
}

TEST(RequestLayer, AnUnansweredRequestIsRetriedUnderANewTxidThenTimesOut) {
  RequestLayer rpc(400ms, 2, 1);
  rpc.request("node:14", PingMsg{}, kStart, kOp);
  const uint64_t first = sent_txid(rpc);
  EXPECT_EQ(rpc.next_deadline(), kStart + 400ms);
  EXPECT_TRUE(rpc.take_overdue(kStart + 399ms).empty());

  DhtTime now = kStart + 400ms;
  std::vector<uint64_t> txids{first};
  for (int retry = 1; retry <= 2; ++retry) {
    const auto late = rpc.take_overdue(now);
    ASSERT_EQ(late.size(), 1u) << "retry " << retry;
    EXPECT_TRUE(rpc.retry(late.front(), now)) << "retry " << retry;
    txids.push_back(sent_txid(rpc));
    EXPECT_EQ(rpc.next_deadline(), now + 400ms);
    now += 400ms;
  }
  const auto late = rpc.take_overdue(now);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_FALSE(rpc.retry(late.front(), now));
  EXPECT_EQ(late.front().op, kOp);
  EXPECT_TRUE(rpc.take().empty());
  EXPECT_EQ(rpc.timeouts(), 3u);
  EXPECT_NE(txids[0], txids[1]);
  EXPECT_NE(txids[1], txids[2]);
  // A late answer to an earlier try answers nothing.
  EXPECT_FALSE(rpc.match("node:14", Datagram{first, PongMsg{}}));
}

TEST(RequestLayer, CountsEveryDatagramSentAndDrawsTheSameTxidsFromTheSameSeed) {
  RequestLayer a(400ms, 1, 42), b(400ms, 1, 42);
  for (RequestLayer* rpc : {&a, &b}) {
    rpc->send("node:14", NotifyMsg{node(8)});
    rpc->reply("client:1", 99, PongMsg{});
    rpc->request("node:21", PingMsg{}, kStart);
  }
  const Outgoings out = a.take();
  EXPECT_EQ(sent(out),
            (std::vector<std::string>{"NOTIFY>node:14", "PONG>client:1", "PING>node:21"}));
  EXPECT_EQ(out[1].datagram.txid, 99u);
  EXPECT_EQ(a.datagrams_out(), 3u);
  const Outgoings same = b.take();
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].datagram.txid, same[i].datagram.txid);
}

}  // namespace
}  // namespace shoal
