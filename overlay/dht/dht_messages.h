#pragma once
// The DHT's datagrams (docs/protocol.md, "DHT"). Each is a plain struct packed
// as a msgpack array of its fields; a datagram carries `[type, txid,
// [fields]]`. A reply repeats its request's txid, so a node matches replies
// to what it asked and drops any other.
//
// Node to node: FIND_SUCCESSOR/FOUND route a lookup one hop; GET_STATE/STATE
// stabilize (and ping) a successor; PING/PONG check a predecessor; NOTIFY
// offers a predecessor; STORE/STORED carry values (put, replica or handoff);
// FETCH/VALUES read them; LEAVING says a node leaves. An answer between
// nodes names the question it answers (`Question`); DHT_ERROR answers any.
// Client to node (`shoal dht lookup|put|get|stats`, sources and peers):
// LOOKUP, PUT, GET and STATS, answered by LOOKUP_RESULT, PUT_RESULT,
// GET_RESULT, STATS_RESULT or DHT_ERROR.

#include <cstdint>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "overlay/dht/dht_id.h"

namespace shoal {

// The most a datagram may hold; a longer one is dropped unread. Senders keep
// under it by bounding every list below.
inline constexpr size_t kMaxDatagram = 8192;
inline constexpr size_t kMaxSuccessors = 16;    // in a STATE or LEAVING
inline constexpr size_t kMaxValues = 64;        // in a VALUES or GET_RESULT
inline constexpr size_t kMaxValueBytes = 256;   // one value, e.g. a contact "host:port"
inline constexpr size_t kMaxStoreEntries = 24;  // in a STORE
inline constexpr size_t kMaxKeyBytes = 256;     // a key's text, in PUT and GET

// A node of the ring: its id and where it answers ("host:port").
struct DhtNode {
  DhtId id;
  std::string address;
  bool operator==(const DhtNode&) const = default;
  MSGPACK_DEFINE(id, address);
};

// One value under a key, with the seconds it has left to live.
struct DhtEntry {
  DhtId key;
  std::string value;
  uint32_t ttl_s = 0;
  MSGPACK_DEFINE(key, value, ttl_s);
};

struct FindSuccessorMsg {
  DhtId key;
  MSGPACK_DEFINE(key);
};
// `done`: `node` is the key's successor. Otherwise `node` is closer to it: ask there.
struct FoundMsg {
  using Question = FindSuccessorMsg;
  bool done = false;
  DhtNode node;
  MSGPACK_DEFINE(done, node);
};
struct GetStateMsg {
  MSGPACK_DEFINE();
};
struct StateMsg {
  using Question = GetStateMsg;
  std::optional<DhtNode> predecessor;
  std::vector<DhtNode> successors;
  MSGPACK_DEFINE(predecessor, successors);
};
struct PingMsg {
  MSGPACK_DEFINE();
};
struct PongMsg {
  using Question = PingMsg;
  MSGPACK_DEFINE();
};
struct NotifyMsg {  // "I might be your predecessor"
  DhtNode node;
  MSGPACK_DEFINE(node);
};
enum class StoreKind : uint8_t { put = 0, replica = 1, handoff = 2 };
struct StoreMsg {
  std::vector<DhtEntry> entries;
  uint8_t kind = 0;  // StoreKind
  MSGPACK_DEFINE(entries, kind);
};
struct StoredMsg {
  using Question = StoreMsg;
  uint32_t count = 0;
  MSGPACK_DEFINE(count);
};
struct FetchMsg {
  DhtId key;
  MSGPACK_DEFINE(key);
};
struct ValuesMsg {
  using Question = FetchMsg;
  std::vector<std::string> values;
  MSGPACK_DEFINE(values);
};
// The sender leaves the ring: its predecessor's new successor is the first
// of `successors`, its successor's new predecessor is `predecessor`.
struct LeavingMsg {
  DhtNode node;
  std::optional<DhtNode> predecessor;
  std::vector<DhtNode> successors;
  MSGPACK_DEFINE(node, predecessor, successors);
};

struct LookupMsg {
  std::string key;  // decimal id, or text to hash
  MSGPACK_DEFINE(key);
};
struct LookupResultMsg {
  DhtId key;
  DhtNode owner;
  uint32_t hops = 0;
  MSGPACK_DEFINE(key, owner, hops);
};
struct PutMsg {
  std::string key;
  std::string value;
  uint32_t ttl_s = 0;
  MSGPACK_DEFINE(key, value, ttl_s);
};
struct PutResultMsg {
  DhtId key;
  DhtNode owner;
  uint32_t hops = 0;
  MSGPACK_DEFINE(key, owner, hops);
};
struct GetMsg {
  std::string key;
  MSGPACK_DEFINE(key);
};
struct GetResultMsg {
  DhtId key;
  DhtNode owner;
  uint32_t hops = 0;
  std::vector<std::string> values;
  std::string your_host;  // the asker's IP as the answering node sees it
  MSGPACK_DEFINE(key, owner, hops, values, your_host);
};
struct StatsMsg {
  MSGPACK_DEFINE();
};
struct StatsResultMsg {
  std::string json;
  MSGPACK_DEFINE(json);
};
struct DhtErrorMsg {
  std::string reason;
  MSGPACK_DEFINE(reason);
};

// Variant index + 1 is the wire type code; append new messages at the end.
using DhtMessage =
    std::variant<FindSuccessorMsg, FoundMsg, GetStateMsg, StateMsg, PingMsg, PongMsg, NotifyMsg,
                 StoreMsg, StoredMsg, FetchMsg, ValuesMsg, LeavingMsg, LookupMsg, LookupResultMsg,
                 PutMsg, PutResultMsg, GetMsg, GetResultMsg, StatsMsg, StatsResultMsg, DhtErrorMsg>;

struct Datagram {
  uint64_t txid = 0;
  DhtMessage msg;
};

const char* dht_message_name(const DhtMessage& m);

}  // namespace shoal

// DhtId packs as a 20-byte big-endian binary.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct convert<shoal::DhtId> {
    const msgpack::object& operator()(const msgpack::object& o, shoal::DhtId& v) const {
      if (o.type != msgpack::type::BIN || o.via.bin.size > 20) throw msgpack::type_error();
      shoal::Uint160 x;
      if (o.via.bin.size > 0) {
        const auto* p = reinterpret_cast<const unsigned char*>(o.via.bin.ptr);
        boost::multiprecision::import_bits(x, p, p + o.via.bin.size);
      }
      v = shoal::DhtId(x);
      return o;
    }
  };
  template <>
  struct pack<shoal::DhtId> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& p, const shoal::DhtId& v) const {
      std::array<unsigned char, 20> bytes{};
      std::vector<unsigned char> out;
      boost::multiprecision::export_bits(v.value, std::back_inserter(out), 8);
      std::copy(out.begin(), out.end(), bytes.end() - static_cast<long>(out.size()));
      p.pack_bin(20);
      p.pack_bin_body(reinterpret_cast<const char*>(bytes.data()), 20);
      return p;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
