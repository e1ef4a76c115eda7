// Real `shoal dht` processes on loopback UDP: a ring built by hand on a 6-bit
// circle answers every lookup with the true successor, from every node; a
// value outlives its owner's SIGKILL; garbage, truncated and oversized
// datagrams and forged replies are dropped and counted while the node goes on
// answering.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio.hpp>

#include "harness.h"
#include "overlay/dht/dht_codec.h"

namespace shoal::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The Chord paper's example ring.
const std::vector<uint64_t> kIds{1, 8, 14, 21, 32, 38, 42, 48, 51, 56};

// Starts the ring, each node joining through the first; stderr -> dir/dht<id>.log.
std::vector<RunningDhtNode> start_ring(const TempDir& dir) {
  std::vector<RunningDhtNode> nodes;
  for (uint64_t id : kIds) {
    std::vector<std::string> args{"--id-bits",      "6",  "--node-id", std::to_string(id),
                                  "--stabilize-ms", "100"};
    if (!nodes.empty()) {
      args.push_back("--bootstrap");
      args.push_back(nodes.front().at.to_string());
    }
    auto node = start_dht_node(args, dir / ("dht" + std::to_string(id) + ".log"));
    EXPECT_TRUE(node) << "node " << id << " did not start";
    if (!node) return {};
    EXPECT_EQ(node->id, std::to_string(id));
    nodes.push_back(std::move(*node));
  }
  return nodes;
}

// The first node id at or after `key`, wrapping: the key's true owner.
uint64_t successor_of(uint64_t key, const std::vector<uint64_t>& ids) {
  for (uint64_t id : ids) {
    if (id >= key) return id;
  }
  return ids.front();
}

std::string owner_of(const std::optional<DhtMessage>& m) {
  const auto* r = m ? std::get_if<LookupResultMsg>(&*m) : nullptr;
  return r ? r->owner.id.to_string() : "<no answer>";
}

// Whether every value put below, "v<key>" under every fourth key, is what a
// GET through `via` finds.
bool every_value_readable(const Endpoint& via) {
  for (uint64_t key = 0; key < 64; key += 4) {
    const auto r = ask_dht(via, GetMsg{std::to_string(key)});
    const auto* got = r ? std::get_if<GetResultMsg>(&*r) : nullptr;
    if (!got || got->values != std::vector<std::string>{"v" + std::to_string(key)}) return false;
  }
  return true;
}

// The keys held on all `nodes`, owned or replicas, by their STATS.
int keys_held(const std::vector<RunningDhtNode>& nodes) {
  int keys = 0;
  for (const RunningDhtNode& n : nodes) {
    const auto stats = dht_stats(n.at);
    if (!stats.is_discarded()) keys += stats["keys"].get<int>();
  }
  return keys;
}

// The datagrams the node at `via` has dropped, by its STATS: malformed,
// oversized, or answering nothing it asked.
int dropped(const Endpoint& via) {
  auto j = dht_stats(via);
  if (j.is_discarded()) return 0;
  return j["malformed"].get<int>() + j["oversized"].get<int>() + j["unknown_replies"].get<int>();
}

TEST(Dht, AHandBuiltRingAnswersEveryLookupWithTheTrueSuccessorFromEveryNode) {
  TempDir dir;
  auto nodes = start_ring(dir);
  ASSERT_EQ(nodes.size(), kIds.size());
  ASSERT_TRUE(eventually([&] { return dht_ring_settled(nodes); }, 20s)) << "the ring never settled";
  // The hop count below needs the fingers too, which follow the successors.
  const auto hops_to_60 = [&] {
    const auto r = ask_dht(nodes[4].at, LookupMsg{"60"});
    const auto* found = r ? std::get_if<LookupResultMsg>(&*r) : nullptr;
    return found ? found->hops : 64u;
  };
  eventually([&] { return hops_to_60() <= 3; }, 10s);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const RunningDhtNode& via = nodes[i];
    for (uint64_t key = 0; key < 64; ++key) {
      EXPECT_EQ(owner_of(ask_dht(via.at, LookupMsg{std::to_string(key)})),
                std::to_string(successor_of(key, kIds)))
          << "key " << key << " via node " << kIds[i];
    }
  }
  // As users ask: a key equal to a node id, and one past the last node.
  const auto equal = nlohmann::json::parse(
      run_shell(std::string(SHOAL_BINARY) + " dht lookup 42 --via " + nodes[0].at.to_string()));
  EXPECT_EQ(equal["owner_id"], "42");
  EXPECT_EQ(equal["owner"], nodes[6].at.to_string());
  const auto wrapped = nlohmann::json::parse(
      run_shell(std::string(SHOAL_BINARY) + " dht lookup 60 --via " + nodes[4].at.to_string()));
  EXPECT_EQ(wrapped["owner_id"], "1");
  // By fingers, not around the ring: from 32, 48 then 56 (5 successor steps otherwise).
  EXPECT_LE(wrapped["hops"].get<int>(), 3);
}

TEST(Dht, AValueOutlivesItsOwnersSigkill) {
  TempDir dir;
  auto nodes = start_ring(dir);
  ASSERT_EQ(nodes.size(), kIds.size());
  ASSERT_TRUE(eventually([&] { return dht_ring_settled(nodes); }, 20s)) << "the ring never settled";
  for (uint64_t key = 0; key < 64; key += 4) {
    const auto r =
        ask_dht(nodes[0].at, PutMsg{std::to_string(key), "v" + std::to_string(key), 600});
    ASSERT_TRUE(r && std::holds_alternative<PutResultMsg>(*r)) << key;
  }
  // Every value on its owner and its 3 successors (r = 3): 16 keys, 4 copies each.
  ASSERT_TRUE(eventually([&] { return keys_held(nodes) == 16 * 4; }, 10s)) << keys_held(nodes);
  nodes[4].process.signal(SIGKILL);  // 32, owner of 24 and 28
  nodes[5].process.signal(SIGKILL);  // 38, its first replica, owner of 36
  // Until the ring has routed around them, a GET may reach a dead owner.
  eventually([&] { return every_value_readable(nodes[1].at); }, 20s);
  for (uint64_t key = 0; key < 64; key += 4) {
    const auto r = ask_dht(nodes[1].at, GetMsg{std::to_string(key)});
    ASSERT_TRUE(r && std::holds_alternative<GetResultMsg>(*r)) << key;
    EXPECT_EQ(std::get<GetResultMsg>(*r).values,
              std::vector<std::string>{"v" + std::to_string(key)})
        << key;
  }
}

TEST(Dht, DropsAndCountsGarbageTruncatedOversizedAndForgedDatagrams) {
  TempDir dir;
  auto nodes = start_ring(dir);
  ASSERT_EQ(nodes.size(), kIds.size());
  ASSERT_TRUE(eventually([&] { return dht_ring_settled(nodes); }, 20s)) << "the ring never settled";
  const Endpoint target = nodes[2].at;
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  const asio::ip::udp::endpoint to(asio::ip::make_address(target.host), target.port);
  const std::vector<uint8_t> garbage{0xde, 0xad, 0xbe, 0xef};
  auto truncated = encode_datagram({1, LookupMsg{"channel"}});
  truncated.resize(truncated.size() / 2);
  const std::vector<uint8_t> oversized(20'000, 0x90);
  const auto forged = encode_datagram({0x1234, FoundMsg{true, {DhtId(), "127.0.0.1:1"}}});
  const std::vector<const std::vector<uint8_t>*> hostile{&garbage, &truncated, &oversized, &forged};
  for (const auto* d : hostile) socket.send_to(asio::buffer(*d), to);
  // Until the node has read all four (UDP on loopback: none is lost).
  eventually([&] { return dropped(target) >= 4; }, 5s);

  EXPECT_EQ(owner_of(ask_dht(target, LookupMsg{"50"})), "51");
  const auto stats = ask_dht(target, StatsMsg{});
  ASSERT_TRUE(stats && std::holds_alternative<StatsResultMsg>(*stats));
  const auto j = nlohmann::json::parse(std::get<StatsResultMsg>(*stats).json);
  EXPECT_EQ(j["malformed"], 2) << j.dump();
  EXPECT_EQ(j["oversized"], 1) << j.dump();
  EXPECT_EQ(j["unknown_replies"], 1) << j.dump();
  EXPECT_EQ(j["successors"][0], nodes[3].at.to_string()) << j.dump();
}

}  // namespace
}  // namespace shoal::testing
