// DHT datagrams: `[type, txid, [fields]]`; anything malformed, truncated,
// oversized or over a list limit is an error value, never a crash.
#include "overlay/dht/dht_codec.h"

#include <gtest/gtest.h>

#include <msgpack.hpp>

namespace shoal {
namespace {

DhtNode node(uint64_t id, std::string address) { return {DhtId(Uint160(id)), std::move(address)}; }

TEST(DhtCodec, RoundTripsEveryFieldAndTheTxid) {
  const Uint160 big = (Uint160(1) << 159) + 12345;
  const Datagram d{
      0xfeedface12345678,
      StateMsg{node(7, "127.0.0.1:7000"), {node(9, "127.0.0.1:7001"), {DhtId(big), "[::1]:7002"}}}};
  const auto back = decode_datagram(encode_datagram(d));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->txid, d.txid);
  const auto& s = std::get<StateMsg>(back->msg);
  EXPECT_EQ(s.predecessor, node(7, "127.0.0.1:7000"));
  ASSERT_EQ(s.successors.size(), 2u);
  EXPECT_EQ(s.successors[1].id.value, big);
  EXPECT_EQ(s.successors[1].address, "[::1]:7002");
}

TEST(DhtCodec, RejectsGarbageAndTruncatedDatagrams) {
  const std::vector<uint8_t> garbage{0xde, 0xad, 0xbe, 0xef};
  EXPECT_FALSE(decode_datagram(garbage).ok());
  EXPECT_FALSE(decode_datagram({}).ok());
  auto bytes = encode_datagram({1, LookupMsg{"channel"}});
  bytes.pop_back();
  EXPECT_FALSE(decode_datagram(bytes).ok());
}

TEST(DhtCodec, RejectsAnOversizedDatagramUnread) {
  const std::vector<uint8_t> big(kMaxDatagram + 1, 0x90);
  const auto r = decode_datagram(big);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("limit"), std::string::npos);
}

TEST(DhtCodec, RejectsUnknownTypesAndWrongShapes) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_array(3);
  pk.pack(99);
  pk.pack(1);
  pk.pack_array(0);
  const auto r = decode_datagram({reinterpret_cast<const uint8_t*>(b.data()), b.size()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("unknown"), std::string::npos);

  msgpack::sbuffer id_too_long;
  msgpack::packer<msgpack::sbuffer> p2(id_too_long);
  p2.pack_array(3);
  p2.pack(1);  // FIND_SUCCESSOR
  p2.pack(1);
  p2.pack_array(1);
  p2.pack_bin(21);
  p2.pack_bin_body(std::string(21, 'x').data(), 21);
  EXPECT_FALSE(
      decode_datagram({reinterpret_cast<const uint8_t*>(id_too_long.data()), id_too_long.size()})
          .ok());
}

TEST(DhtCodec, RejectsListsOverTheirLimit) {
  ValuesMsg many;
  many.values.assign(kMaxValues + 1, "127.0.0.1:1");
  EXPECT_FALSE(decode_datagram(encode_datagram({1, many})).ok());
  StoreMsg store;
  store.entries.assign(kMaxStoreEntries + 1, DhtEntry{DhtId(), "x", 1});
  EXPECT_FALSE(decode_datagram(encode_datagram({1, store})).ok());
  EXPECT_FALSE(
      decode_datagram(encode_datagram({1, PutMsg{"k", std::string(kMaxValueBytes + 1, 'v'), 1}}))
          .ok());
}

}  // namespace
}  // namespace shoal
