// Chord (DESIGN §5): a key belongs to its successor; lookups follow the
// closest preceding finger; stabilization repairs successors, predecessors
// and fingers after joins and departures; a join or a graceful leave moves
// exactly the keys that change owner, and replicas on the successors keep
// every value through an abrupt departure. Driven with a fake clock over an
// in-memory network that passes every datagram through the codec.
#include "overlay/dht/chord.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <memory>

#include "overlay/dht/dht_codec.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;

const DhtTime kStart{std::chrono::hours(1)};
constexpr const char* kClient = "client:1";

// Nodes on one fake network; a datagram to a node that is gone is lost.
class Net {
 public:
  explicit Net(int bits) : ring_(*Ring::make(bits)) {}

  ChordNode& add(uint64_t id) {
    return add_node({DhtId(Uint160(id)), "node:" + std::to_string(id)});
  }
  // On the 160-bit ring: the id is the hash of the address.
  ChordNode& add_hashed(const std::string& address) {
    return add_node({ring_.hash(address), address});
  }

  ChordNode& node(uint64_t id) { return *nodes_.at("node:" + std::to_string(id)); }
  void kill(uint64_t id) { nodes_.erase("node:" + std::to_string(id)); }
  void leave(uint64_t id) {
    const std::string address = "node:" + std::to_string(id);
    deliver(address, nodes_.at(address)->leave(now_));
    run(2s);  // it lingers, as `shoal dht` does, before it is gone
    nodes_.erase(address);
  }

  // Runs the network for `d` of fake time, 10 ms at a time.
  void run(std::chrono::milliseconds d) {
    const DhtTime end = now_ + d;
    while (now_ < end) {
      flush();
      now_ += 10ms;
      for (auto& [address, n] : nodes_) {
        if (n->next_wakeup(now_) <= now_) deliver(address, n->tick(now_));
      }
    }
    flush();
  }

  // A client request to `via`; returns the answer.
  std::optional<DhtMessage> ask(uint64_t via, DhtMessage msg) {
    replies_.clear();
    queue_.push_back({kClient, {"node:" + std::to_string(via), Datagram{7, std::move(msg)}}});
    for (int i = 0; i < 300 && replies_.empty(); ++i) run(10ms);
    if (replies_.empty()) return std::nullopt;
    return replies_.front();
  }
  std::optional<LookupResultMsg> lookup(uint64_t via, uint64_t key) {
    auto r = ask(via, LookupMsg{std::to_string(key)});
    if (!r || !std::holds_alternative<LookupResultMsg>(*r)) return std::nullopt;
    return std::get<LookupResultMsg>(*r);
  }

  // The true owner of `key` among the live nodes.
  DhtId successor_of(const DhtId& key) const {
    std::optional<DhtId> best;
    for (const auto& [address, n] : nodes_) {
      const DhtId id = n->self().id;
      if (!best || ring_.distance(key, id) < ring_.distance(key, *best)) best = id;
    }
    return *best;
  }

  DhtTime now() const { return now_; }
  const Ring& ring() const { return ring_; }

 private:
  ChordNode& add_node(DhtNode self) {
    const std::string address = self.address;
    auto node = std::make_unique<ChordNode>(
        ChordConfig{.ring = ring_, .self = std::move(self), .seed = nodes_.size() + 1});
    ChordNode& n = *node;
    if (nodes_.empty()) {
      n.create(now_);
    } else {
      deliver(address, n.join(nodes_.begin()->first, now_));
    }
    nodes_[address] = std::move(node);
    return n;
  }
  void deliver(const std::string& from, Outgoings out) {
    for (Outgoing& o : out) queue_.push_back({from, std::move(o)});
  }
  void flush() {
    while (!queue_.empty()) {
      auto [from, o] = std::move(queue_.front());
      queue_.pop_front();
      const auto decoded = decode_datagram(encode_datagram(o.datagram));
      ASSERT_TRUE(decoded.ok()) << decoded.error();
      if (o.to == kClient) {
        replies_.push_back(decoded->msg);
        continue;
      }
      const auto it = nodes_.find(o.to);
      if (it != nodes_.end()) deliver(o.to, it->second->on_datagram(from, *decoded, now_));
    }
  }

  Ring ring_;
  DhtTime now_ = kStart;
  std::map<std::string, std::unique_ptr<ChordNode>> nodes_;
  std::deque<std::pair<std::string, Outgoing>> queue_;
  std::vector<DhtMessage> replies_;
};

// The ring of the Chord paper's examples: 10 nodes on a 6-bit circle.
const std::vector<uint64_t> kPaperRing{1, 8, 14, 21, 32, 38, 42, 48, 51, 56};

std::unique_ptr<Net> paper_ring() {
  auto net = std::make_unique<Net>(6);
  for (uint64_t id : kPaperRing) {
    net->add(id);
    net->run(1s);
  }
  net->run(10s);
  return net;
}

uint64_t owner_id(const LookupResultMsg& r) { return std::stoull(r.owner.id.to_string()); }

void put(Net& net, uint64_t via, uint64_t key, const std::string& value, uint32_t ttl_s = 600) {
  const auto r = net.ask(via, PutMsg{std::to_string(key), value, ttl_s});
  ASSERT_TRUE(r && std::holds_alternative<PutResultMsg>(*r)) << "put " << key;
}

std::vector<std::string> get(Net& net, uint64_t via, uint64_t key) {
  const auto r = net.ask(via, GetMsg{std::to_string(key)});
  if (!r || !std::holds_alternative<GetResultMsg>(*r)) return {"<no answer>"};
  return std::get<GetResultMsg>(*r).values;
}

TEST(Chord, EveryNodeFindsTheTrueSuccessorOfEveryKey) {
  auto net = paper_ring();
  for (uint64_t via : kPaperRing) {
    for (uint64_t key = 0; key < 64; ++key) {
      const auto r = net->lookup(via, key);
      ASSERT_TRUE(r) << "lookup of " << key << " via " << via;
      EXPECT_EQ(r->owner.id, net->successor_of(DhtId(Uint160(key))))
          << "key " << key << " via " << via;
    }
  }
  // The examples: a key equal to a node id is that node's; past the last
  // node, keys wrap around zero to the first.
  EXPECT_EQ(owner_id(*net->lookup(8, 14)), 14u);
  EXPECT_EQ(owner_id(*net->lookup(8, 54)), 56u);
  EXPECT_EQ(owner_id(*net->lookup(51, 60)), 1u);
  EXPECT_EQ(owner_id(*net->lookup(51, 0)), 1u);
  EXPECT_EQ(owner_id(*net->lookup(1, 1)), 1u);
}

TEST(Chord, FingersPointAtTheSuccessorsOfNPlusPowersOfTwo) {
  auto net = paper_ring();
  // Node 8's finger table in the Chord paper: 9, 10, 12 -> 14; 16 -> 21;
  // 24 -> 32; 40 -> 42.
  const std::vector<uint64_t> expected{14, 14, 14, 21, 32, 42};

  for (int i = 0; i < 6; ++i) {
    const auto& f = net->node(8).finger(i);
    ASSERT_TRUE(f) << "finger " << i;
    EXPECT_EQ(f->id, DhtId(Uint160(expected[static_cast<size_t>(i)]))) << "finger " << i;
  }
}

TEST(Chord, KeepsAPredecessorAndASuccessorListOfR) {
  auto net = paper_ring();
  const ChordNode& n = net->node(51);
  ASSERT_TRUE(n.predecessor());
  EXPECT_EQ(n.predecessor()->id, DhtId(Uint160(48)));
  ASSERT_EQ(n.successors().size(), 3u);
  EXPECT_EQ(n.successors()[0].id, DhtId(Uint160(56)));
  EXPECT_EQ(n.successors()[1].id, DhtId(Uint160(1)));
  EXPECT_EQ(n.successors()[2].id, DhtId(Uint160(8)));
}

TEST(Chord, TheNextSuccessorTakesADeadOnesPlaceAndTheListIsRefilled) {
  auto net = paper_ring();
  net->kill(14);
  net->run(3s);
  const ChordNode& n = net->node(8);
  ASSERT_EQ(n.successors().size(), 3u);
  EXPECT_EQ(n.successors()[0].id, DhtId(Uint160(21)));
  EXPECT_EQ(n.successors()[1].id, DhtId(Uint160(32)));
  EXPECT_EQ(n.successors()[2].id, DhtId(Uint160(38)));
  ASSERT_TRUE(net->node(21).predecessor());
  EXPECT_EQ(net->node(21).predecessor()->id, DhtId(Uint160(8)));
  EXPECT_EQ(owner_id(*net->lookup(1, 10)), 21u);
}

TEST(Chord, LookupsAreRightAgainAfterNodesNextToEachOtherDie) {
  auto net = paper_ring();
  net->kill(21);
  net->kill(32);  // 14 loses its first two successors at once
  net->run(10s);
  for (uint64_t via : {1, 14, 42}) {
    for (uint64_t key = 0; key < 64; ++key) {
      const auto r = net->lookup(via, key);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->owner.id, net->successor_of(DhtId(Uint160(key)))) << key;
    }
  }
}

TEST(Chord, AJoinMovesExactlyTheKeysThatChangeOwner) {
  auto net = paper_ring();
  for (uint64_t key = 0; key < 64; key += 3) put(*net, 1, key, "v" + std::to_string(key));
  net->run(1s);
  const uint64_t before = net->node(32).stats().keys_handed_off;
  ChordNode& joined = net->add(26);
  net->run(5s);
  // Keys in (21, 26] move from 32 to the newcomer: 24 only.
  EXPECT_EQ(net->node(32).stats().keys_handed_off - before, 1u);
  EXPECT_EQ(joined.stats().keys_taken_over, 1u);
  EXPECT_EQ(joined.values(DhtId(Uint160(24)), net->now()), std::vector<std::string>{"v24"});
  EXPECT_TRUE(joined.owns(DhtId(Uint160(24))));
  EXPECT_FALSE(net->node(32).owns(DhtId(Uint160(24))));
  EXPECT_EQ(owner_id(*net->lookup(8, 24)), 26u);
  EXPECT_EQ(get(*net, 8, 24), std::vector<std::string>{"v24"});
}

TEST(Chord, AGracefulLeaveHandsExactlyItsKeysToItsSuccessor) {
  auto net = paper_ring();
  for (uint64_t key = 0; key < 64; key += 3) put(*net, 1, key, "v" + std::to_string(key));
  net->run(1s);
  const uint64_t before = net->node(38).stats().keys_taken_over;
  const uint64_t handed_before = net->node(38).stats().keys_handed_off;
  net->leave(32);  // owned (21, 32]: 24, 27, 30
  net->run(3s);
  EXPECT_EQ(net->node(38).stats().keys_taken_over - before, 3u);
  EXPECT_EQ(net->node(38).stats().keys_handed_off, handed_before);  // nothing went back
  EXPECT_EQ(net->node(21).successors()[0].id, DhtId(Uint160(38)));
  EXPECT_EQ(net->node(38).predecessor()->id, DhtId(Uint160(21)));
  for (uint64_t key : {24, 27, 30}) {
    EXPECT_EQ(owner_id(*net->lookup(1, key)), 38u);
    EXPECT_EQ(get(*net, 1, key), std::vector<std::string>{"v" + std::to_string(key)});
  }
}

TEST(Chord, AnAbruptDepartureLosesNoValue) {
  auto net = paper_ring();
  for (uint64_t key = 0; key < 64; ++key) put(*net, 8, key, "v" + std::to_string(key));
  net->run(1s);
  net->kill(32);
  net->kill(38);  // an owner and its first replica at once
  net->run(10s);
  for (uint64_t key = 0; key < 64; ++key)
    EXPECT_EQ(get(*net, 1, key), std::vector<std::string>{"v" + std::to_string(key)}) << key;
}

TEST(Chord, ValuesLiveTheirTimeToLiveAndARePutRefreshesThem) {
  auto net = paper_ring();
  put(*net, 1, 30, "stays", 3);
  put(*net, 1, 30, "goes", 3);
  for (int i = 0; i < 4; ++i) {
    net->run(2s);
    put(*net, 8, 30, "stays", 3);
  }
  net->run(500ms);
  EXPECT_EQ(get(*net, 42, 30), std::vector<std::string>{"stays"});
}

TEST(Chord, ManyValuesUnderOneKeyComeBackFreshestFirst) {
  auto net = paper_ring();
  put(*net, 1, 40, "old", 100);
  put(*net, 1, 40, "new", 200);
  EXPECT_EQ(get(*net, 14, 40), (std::vector<std::string>{"new", "old"}));
}

TEST(Chord, AnAnswerFitsOneDatagramHoweverLargeTheValues) {
  auto net = paper_ring();
  for (int i = 0; i < 40; ++i)
    put(*net, 1, 40, std::string(250, static_cast<char>('a' + i % 26)) + std::to_string(i));
  const auto values = get(*net, 8, 40);  // through the codec, which refuses oversized datagrams
  EXPECT_GT(values.size(), 10u);
  EXPECT_LT(values.size(), 40u);
}

TEST(Chord, RefusesAKeyOffTheCircleWithAReason) {
  auto net = paper_ring();
  const auto r = net->ask(1, LookupMsg{"64"});
  ASSERT_TRUE(r && std::holds_alternative<DhtErrorMsg>(*r));
  EXPECT_NE(std::get<DhtErrorMsg>(*r).reason.find("6-bit"), std::string::npos);
}

TEST(Chord, DropsAndCountsRepliesNobodyAskedFor) {
  auto net = paper_ring();
  ChordNode& n = net->node(8);
  const uint64_t before = n.stats().unknown_replies;
  EXPECT_TRUE(
      n.on_datagram("node:14", Datagram{12345, FoundMsg{true, {DhtId(), "evil:1"}}}, net->now())
          .empty());
  EXPECT_TRUE(n.on_datagram("evil:1", Datagram{1, StateMsg{{}, {{DhtId(), "evil:1"}}}}, net->now())
                  .empty());
  EXPECT_EQ(n.stats().unknown_replies, before + 2);
  EXPECT_EQ(n.successors()[0].id, DhtId(Uint160(14)));
}

TEST(Chord, LookupsTakeAboutHalfLog2NHops) {
  Net net(160);
  constexpr int kNodes = 64;
  for (int i = 0; i < kNodes; ++i) {
    net.add_hashed("node:" + std::to_string(i));
    net.run(300ms);
  }
  net.run(20s);
  std::mt19937_64 rng(7);
  double hops = 0;
  constexpr int kLookups = 200;
  for (int i = 0; i < kLookups; ++i) {
    const std::string key = "key" + std::to_string(rng());
    auto r = net.ask(rng() % kNodes, LookupMsg{key});
    ASSERT_TRUE(r && std::holds_alternative<LookupResultMsg>(*r));
    const auto& found = std::get<LookupResultMsg>(*r);
    EXPECT_EQ(found.owner.id, net.successor_of(net.ring().hash(key)));
    hops += found.hops;
  }
  EXPECT_LE(hops / kLookups, 0.5 * std::log2(kNodes) + 1);
}

}  // namespace
}  // namespace shoal
