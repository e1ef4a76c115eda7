// The value store: values live their time to live, the limits per key, per
// host under a key and in all hold, a range of keys wraps past zero, and values move between
// nodes (copies to the successors, handoffs to a new owner) counted at both
// ends; all on a fake clock.
#include "overlay/dht/value_store.h"

#include <gtest/gtest.h>

#include "chord_fixtures.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

DhtEntry entry(uint64_t k, const std::string& value, uint32_t ttl_s = 60) {
  return {key(k), value, ttl_s};
}

// Port 7000 + i of `host`, as a contact.
std::string contact(const std::string& host, int i) {
  return host + ":" + std::to_string(7000 + i);
}

// The keys of the entries of the STORE `o`.
std::vector<DhtId> stored_keys(const Outgoing& o) {
  std::vector<DhtId> keys;
  for (const DhtEntry& e : std::get<StoreMsg>(o.datagram.msg).entries) keys.push_back(e.key);
  return keys;
}

TEST(ValueStore, AValuePastItsTtlIsGone) {
  ValueStore store(config(32));
  store.store(entry(30, "contact", 3), kStart);
  EXPECT_EQ(store.values(key(30), kStart + 2999ms), Strings{"contact"});
  EXPECT_EQ(store.values(key(30), kStart + 3s), Strings{});
  EXPECT_EQ(store.key_count(), 1u);
  store.expire(kStart + 3s);
  EXPECT_EQ(store.key_count(), 0u);
}

TEST(ValueStore, StoringAValueAgainKeepsTheLaterExpiry) {
  ValueStore store(config(32));
  store.store(entry(30, "contact", 3), kStart);
  store.store(entry(30, "contact", 3), kStart + 2s);  // refreshed: lives to 5 s
  store.store(entry(30, "contact", 1), kStart + 2s);  // a shorter one does not cut it
  EXPECT_EQ(store.values(key(30), kStart + 4s), Strings{"contact"});
  EXPECT_EQ(store.values(key(30), kStart + 5s), Strings{});
}

TEST(ValueStore, ManyValuesUnderAKeyComeBackFreshestFirst) {
  ValueStore store(config(32));
  store.store(entry(30, "old", 100), kStart);
  store.store(entry(30, "new", 200), kStart);
  store.store(entry(30, "middle", 150), kStart);
  EXPECT_EQ(store.values(key(30), kStart), (Strings{"new", "middle", "old"}));
}

TEST(ValueStore, ANewValuePastThePerKeyLimitIsDropped) {
  ChordConfig c = config(32);
  c.max_values_per_key = 2;
  ValueStore store(c);
  store.store(entry(30, "a", 10), kStart);
  store.store(entry(30, "b", 10), kStart);
  store.store(entry(30, "c", 10), kStart);
  store.store(entry(30, "a", 20), kStart);  // a value already there is still refreshed
  EXPECT_EQ(store.values(key(30), kStart + 15s), Strings{"a"});
  EXPECT_EQ(store.values(key(30), kStart), (Strings{"a", "b"}));
}

TEST(ValueStore, OneHostHoldsAtMostEightContactsUnderAKey) {
  ValueStore store(config(32));
  for (int i = 0; i < 20; ++i)
    store.store(entry(30, contact("10.9.9.9", i)), kStart + std::chrono::seconds(i));
  store.store(entry(30, contact("10.8.8.8", 0)), kStart);
  store.store(entry(24, contact("10.9.9.9", 0)), kStart);  // another key has room of its own
  const Strings expected{contact("10.9.9.9", 19), contact("10.9.9.9", 18), contact("10.9.9.9", 17),
                         contact("10.9.9.9", 16), contact("10.9.9.9", 15), contact("10.9.9.9", 14),
                         contact("10.9.9.9", 13), contact("10.9.9.9", 12), contact("10.8.8.8", 0)};
  EXPECT_EQ(store.values(key(30), kStart + 20s), expected);
  EXPECT_EQ(store.values(key(24), kStart), Strings{contact("10.9.9.9", 0)});
}

TEST(ValueStore, ANewContactFromAFullHostReplacesItsLeastRecentlyStored) {
  ChordConfig c = config(32);
  c.max_values_per_host = 2;
  ValueStore store(c);
  store.store(entry(30, "[::1]:7000", 100), kStart);
  store.store(entry(30, "[::1]:7001", 100), kStart + 1s);
  store.store(entry(30, "[::1]:7000", 10), kStart + 2s);  // stored again: 7001 is the oldest now
  store.store(entry(30, "[::1]:7002", 10), kStart + 3s);  // not refused for its shorter life
  EXPECT_EQ(store.values(key(30), kStart + 3s), (Strings{"[::1]:7000", "[::1]:7002"}));
}

TEST(ValueStore, ValuesThatAreNoContactsHaveNoCapByHost) {
  ValueStore store(config(32));
  for (int i = 0; i < 20; ++i) store.store(entry(30, "v" + std::to_string(i)), kStart);
  EXPECT_EQ(store.values(key(30), kStart).size(), 20u);
}

TEST(ValueStore, AReplicaKeepsTheContactsTheOwnerKept) {
  ChordConfig c = config(32);
  c.max_values_per_host = 2;
  ValueStore owner(c), replica(c);
  RequestLayer rpc(400ms, 1, 1);
  const std::vector<DhtNode> successors{node(38)};
  const auto put = [&](int i, DhtTime at) {
    owner.accept_put({entry(30, contact("10.9.9.9", i))}, successors, rpc, at);
  };
  const auto deliver = [&](DhtTime at) {
    for (const Outgoing& o : rpc.take())
      replica.on_store(std::get<StoreMsg>(o.datagram.msg), {}, rpc, at);
  };
  put(0, kStart);
  put(1, kStart + 1s);
  deliver(kStart + 1s);
  put(2, kStart + 2s);  // the owner drops 0; a copy lost on the way leaves the replica 0 and 1
  rpc.take();
  owner.replicate(key(21), successors, rpc, kStart + 5s);
  deliver(kStart + 5s);
  EXPECT_EQ(replica.values(key(30), kStart + 5s), owner.values(key(30), kStart + 5s));
  EXPECT_EQ(replica.values(key(30), kStart + 5s).size(), 2u);
  // Any node may send a replica: it holds the cap too.
  std::vector<DhtEntry> flood;
  for (int i = 10; i < 20; ++i) flood.push_back(entry(30, contact("10.7.7.7", i)));
  replica.on_store(StoreMsg{flood, static_cast<uint8_t>(StoreKind::replica)}, {}, rpc, kStart + 6s);
  EXPECT_EQ(replica.values(key(30), kStart + 6s).size(), 4u);
}

TEST(ValueStore, ANewKeyPastMaxKeysIsDropped) {
  ChordConfig c = config(32);
  c.max_keys = 2;
  ValueStore store(c);
  store.store(entry(22, "a"), kStart);
  store.store(entry(24, "b"), kStart);
  store.store(entry(26, "c"), kStart);
  store.store(entry(24, "d"), kStart);  // under a key already there
  EXPECT_EQ(store.key_count(), 2u);
  EXPECT_EQ(store.values(key(26), kStart), Strings{});
  EXPECT_EQ(store.values(key(24), kStart).size(), 2u);
}

TEST(ValueStore, EntriesInARangeWrapPastZeroWithTheWholeSecondsLeft) {
  ValueStore store(config(8));
  for (uint64_t k : {2, 9, 30, 56, 60, 63})
    store.store(entry(k, "v" + std::to_string(k), 10), kStart);
  store.store(entry(63, "short", 2), kStart);

  const auto in = store.entries_in(key(56), key(8), kStart + 2500ms);  // (56, 8]
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].key, key(2));
  EXPECT_EQ(in[1].key, key(60));
  EXPECT_EQ(in[2].key, key(63));
  EXPECT_EQ(in[2].value, "v63");  // "short" is past its time
  EXPECT_EQ(in[0].ttl_s, 8u);     // 7.5 s left, rounded up
}

TEST(ValueStore, APutIsKeptAndCopiedToEverySuccessorButThisNode) {
  ValueStore store(config(32));
  RequestLayer rpc(400ms, 1, 1);
  const std::vector<DhtNode> successors{node(38), node(42), node(32)};
  const auto answer = store.on_store(
      StoreMsg{{entry(30, "a"), entry(31, "b")}, static_cast<uint8_t>(StoreKind::put)}, successors,
      rpc, kStart);
  EXPECT_EQ(answer.count, 2u);
  EXPECT_EQ(store.values(key(30), kStart), Strings{"a"});
  const Outgoings out = rpc.take();
  EXPECT_EQ(sent(out), (Strings{"STORE>node:38", "STORE>node:42"}));
  EXPECT_EQ(std::get<StoreMsg>(out[0].datagram.msg).kind, static_cast<uint8_t>(StoreKind::replica));
}

TEST(ValueStore, AReplicaIsKeptAndSentNowhere) {
  ValueStore store(config(38));
  RequestLayer rpc(400ms, 1, 1);
  store.on_store(StoreMsg{{entry(30, "a")}, static_cast<uint8_t>(StoreKind::replica)},
                 std::vector<DhtNode>{node(42)}, rpc, kStart);
  EXPECT_EQ(store.values(key(30), kStart), Strings{"a"});
  EXPECT_TRUE(rpc.take().empty());
  EXPECT_EQ(store.keys_taken_over(), 0u);
}

TEST(ValueStore, ReplicationCopiesWhatThisNodeOwnsAndNothingElse) {
  ValueStore store(config(32));
  RequestLayer rpc(400ms, 1, 1);
  for (uint64_t k : {20, 24, 30, 32, 40}) store.store(entry(k, "v"), kStart);
  store.replicate(key(21), std::vector<DhtNode>{node(38), node(42)}, rpc, kStart);  // owns (21, 32]
  const Outgoings out = rpc.take();
  ASSERT_EQ(sent(out), (Strings{"STORE>node:38", "STORE>node:42"}));
  EXPECT_EQ(stored_keys(out[1]), (std::vector<DhtId>{key(24), key(30), key(32)}));
}

TEST(ValueStore, AHandoffGoesInBatchesAndIsCountedAtBothEnds) {
  ValueStore from(config(32)), to(config(26));
  RequestLayer rpc(400ms, 1, 1);
  for (uint32_t i = 0; i < 30; ++i) from.store(entry(24, "c" + std::to_string(i)), kStart);
  from.store(entry(30, "stays"), kStart);

  from.hand_off(key(21), key(26), "node:26", rpc, kStart);  // (21, 26] is 26's now
  const Outgoings out = rpc.take();
  ASSERT_EQ(sent(out), (Strings{"STORE>node:26", "STORE>node:26"}));  // 24 and 6
  EXPECT_EQ(from.keys_handed_off(), 30u);
  for (const Outgoing& o : out) to.on_store(std::get<StoreMsg>(o.datagram.msg), {}, rpc, kStart);
  EXPECT_EQ(to.keys_taken_over(), 30u);
  EXPECT_EQ(to.values(key(24), kStart).size(), 30u);
  EXPECT_EQ(to.values(key(30), kStart), Strings{});
}

}  // namespace
}  // namespace shoal
