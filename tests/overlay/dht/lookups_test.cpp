// Iterative lookups: each node asked is a hop, a dead hop is routed around,
// a put or get goes on to the owner and answers with its reply, a failure
// answers the client with the reason, a lookup lost past 64 hops fails, and
// what follows a join, a finger or a value owned here is the caller's. Node
// 8 of the Chord paper's 6-bit ring asks; the test answers for the others.
#include "overlay/dht/lookups.h"

#include <gtest/gtest.h>

#include "chord_fixtures.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

struct Asker : JoinedNode8 {
  Lookups lookups{config(8)};

  FollowUp ask(Op op) {
    op.client = "client:1";
    op.client_txid = 5;
    return lookups.start(std::move(op), ring, rpc, kStart);
  }
  // Answers `asked`, the one request sent, with `m` from where it went.
  FollowUp answer(const Outgoings& asked, DhtMessage m) {
    EXPECT_EQ(asked.size(), 1u);
    const auto p = rpc.match(asked.back().to, Datagram{asked.back().datagram.txid, m});
    EXPECT_TRUE(p && p->op);
    return lookups.on_reply(*p->op, p->to, m, rpc, kStart);
  }
  // The one request sent gets no answer: its node is dropped, the lookup goes on.
  FollowUp time_out() {
    const auto late = rpc.take_overdue(kStart + 1h);
    EXPECT_EQ(late.size(), 1u);
    ring.drop_unanswering(late.front().to);
    return lookups.on_timeout(*late.front().op, late.front().to, ring, rpc, kStart);
  }
};

// A copy: `out` may be a temporary.
template <typename T>
T the_one(const Outgoings& out) {
  EXPECT_EQ(out.size(), 1u);
  return std::get<T>(out.front().datagram.msg);
}

TEST(Lookups, EachNodeAskedIsAHopUntilOneNamesTheOwner) {
  Asker n;
  n.ask(Op{.kind = OpKind::lookup, .key = key(40)});
  auto out = n.rpc.take();
  EXPECT_EQ(sent(out), Strings{"FIND_SUCCESSOR>node:32"});  // the closest preceding node known
  n.answer(out, FoundMsg{false, node(38)});
  out = n.rpc.take();
  EXPECT_EQ(sent(out), Strings{"FIND_SUCCESSOR>node:38"});
  n.answer(out, FoundMsg{true, node(42)});

  out = n.rpc.take();
  const auto& result = the_one<LookupResultMsg>(out);
  EXPECT_EQ(out.front().to, "client:1");
  EXPECT_EQ(out.front().datagram.txid, 5u);
  EXPECT_EQ(result.owner, node(42));
  EXPECT_EQ(result.hops, 2u);
  EXPECT_EQ(n.lookups.lookups(), 1u);
  EXPECT_EQ(n.lookups.lookup_hops(), 2u);
}

TEST(Lookups, AnOwnerThisNodeKnowsIsAnsweredWithNoHop) {
  Asker n;
  n.ask(Op{.kind = OpKind::lookup, .key = key(10)});
  const auto out = n.rpc.take();
  EXPECT_EQ(the_one<LookupResultMsg>(out).owner, node(14));
  EXPECT_EQ(the_one<LookupResultMsg>(out).hops, 0u);
}

TEST(Lookups, AHopThatAnswersNothingIsRoutedAround) {
  Asker n;
  n.ask(Op{.kind = OpKind::lookup, .key = key(40)});
  n.rpc.take();
  n.time_out();  // 32 is dead: 21 is now the closest preceding node known
  const auto out = n.rpc.take();
  EXPECT_EQ(sent(out), Strings{"FIND_SUCCESSOR>node:21"});
  n.answer(out, FoundMsg{true, node(42)});
  EXPECT_EQ(the_one<LookupResultMsg>(n.rpc.take()).hops, 2u);
}

TEST(Lookups, APutGoesOnToTheOwnerAndIsAnsweredOnceStored) {
  Asker n;
  n.ask(Op{.kind = OpKind::put, .key = key(10), .value = "contact", .ttl_s = 30});
  auto out = n.rpc.take();
  const auto& store = the_one<StoreMsg>(out);
  EXPECT_EQ(out.front().to, "node:14");
  EXPECT_EQ(store.kind, static_cast<uint8_t>(StoreKind::put));
  ASSERT_EQ(store.entries.size(), 1u);
  EXPECT_EQ(store.entries[0].value, "contact");
  EXPECT_EQ(store.entries[0].ttl_s, 30u);
  n.answer(out, StoredMsg{1});
  EXPECT_EQ(the_one<PutResultMsg>(n.rpc.take()).owner, node(14));
}

TEST(Lookups, AGetGoesOnToTheOwnerAndIsAnsweredWithItsValues) {
  Asker n;
  n.ask(Op{.kind = OpKind::get, .key = key(40)});
  n.answer(n.rpc.take(), FoundMsg{true, node(42)});
  const auto out = n.rpc.take();
  EXPECT_EQ(sent(out), Strings{"FETCH>node:42"});
  n.answer(out, ValuesMsg{{"a", "b"}});
  const auto& result = the_one<GetResultMsg>(n.rpc.take());
  EXPECT_EQ(result.owner, node(42));
  EXPECT_EQ(result.hops, 1u);
  EXPECT_EQ(result.values, (Strings{"a", "b"}));
  EXPECT_EQ(result.your_host, "client") << "where it sees the asker, for it to announce";
}

TEST(Lookups, APutThisNodeOwnsIsLeftToTheCaller) {
  Asker n;
  const FollowUp f = n.ask(Op{.kind = OpKind::put, .key = key(8), .value = "contact"});
  const auto* found = std::get_if<Found>(&f);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->op.owner, node(8));
  EXPECT_EQ(found->op.value, "contact");
  EXPECT_TRUE(n.rpc.take().empty());
  EXPECT_EQ(n.lookups.lookups(), 1u);
}

TEST(Lookups, AnErrorFromAHopAnswersTheClientWithTheReason) {
  Asker n;
  n.ask(Op{.kind = OpKind::lookup, .key = key(40)});
  n.answer(n.rpc.take(), DhtErrorMsg{"busy"});
  EXPECT_EQ(the_one<DhtErrorMsg>(n.rpc.take()).reason, "node:32 answered: busy");
  EXPECT_EQ(n.lookups.lookups(), 0u);
}

TEST(Lookups, ALookupThatFindsNoOwnerWithin64HopsFails) {
  Asker n;
  n.ask(Op{.kind = OpKind::lookup, .key = key(40)});
  for (int hop = 1; hop <= 64; ++hop) {
    const auto out = n.rpc.take();
    ASSERT_EQ(sent(out), Strings{"FIND_SUCCESSOR>node:32"}) << "hop " << hop;
    n.answer(out, FoundMsg{false, node(32)});  // a broken ring sends it round in circles
  }
  EXPECT_EQ(the_one<DhtErrorMsg>(n.rpc.take()).reason, "no owner found within 64 hops");
}

TEST(Lookups, AJoinThatGetsNoAnswerOrARefusalFails) {
  RingState ring(config(8));
  RequestLayer rpc(400ms, 0, 1);
  Lookups lookups(config(8));
  lookups.start_at(Op{.kind = OpKind::join, .key = key(8)}, "node:1", rpc, kStart);
  EXPECT_EQ(sent(rpc.take()), Strings{"FIND_SUCCESSOR>node:1"});
  EXPECT_TRUE(lookups.joining());
  const auto late = rpc.take_overdue(kStart + 400ms);
  ASSERT_EQ(late.size(), 1u);
  const FollowUp silence = lookups.on_timeout(*late.front().op, "node:1", ring, rpc, kStart);
  ASSERT_TRUE(std::holds_alternative<JoinFailed>(silence));
  EXPECT_EQ(std::get<JoinFailed>(silence).via, "node:1");
  EXPECT_FALSE(std::get<JoinFailed>(silence).refusal);
  EXPECT_FALSE(lookups.joining());

  lookups.start_at(Op{.kind = OpKind::join, .key = key(8)}, "node:1", rpc, kStart);
  const auto asked = rpc.take();
  const DhtMessage no = DhtErrorMsg{"this node has not joined a ring yet"};
  const auto p = rpc.match("node:1", Datagram{asked.front().datagram.txid, no});
  const FollowUp refused = lookups.on_reply(*p->op, "node:1", no, rpc, kStart);
  ASSERT_TRUE(std::holds_alternative<JoinFailed>(refused));
  EXPECT_EQ(std::get<JoinFailed>(refused).refusal, "this node has not joined a ring yet");
}

TEST(Lookups, AFingerFoundComesBackToTheCaller) {
  Asker n;
  n.lookups.start_at(Op{.kind = OpKind::finger, .key = key(40), .finger = 5}, "node:32", n.rpc,
                     kStart);
  EXPECT_EQ(n.lookups.fingers_under_way(), std::set<int>{5});
  const FollowUp f = n.answer(n.rpc.take(), FoundMsg{true, node(42)});
  ASSERT_TRUE(std::holds_alternative<Found>(f));
  EXPECT_EQ(std::get<Found>(f).op.finger, 5);
  EXPECT_EQ(std::get<Found>(f).op.owner, node(42));
  EXPECT_TRUE(n.lookups.fingers_under_way().empty());
  EXPECT_EQ(n.lookups.lookups(), 0u);  // the ring's own, not a client's
}

TEST(Lookups, IsBusyAtMaxOperations) {
  ChordConfig c = config(8);
  c.max_operations = 1;
  JoinedNode8 n;
  Lookups lookups(c);
  EXPECT_FALSE(lookups.busy());
  lookups.start(Op{.kind = OpKind::lookup, .key = key(40), .client = "client:1"}, n.ring, n.rpc,
                kStart);
  EXPECT_TRUE(lookups.busy());
}

}  // namespace
}  // namespace shoal
