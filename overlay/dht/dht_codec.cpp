#include "overlay/dht/dht_codec.h"

#include <msgpack.hpp>

#include "overlay/wire/bounded_unpack.h"
#include "overlay/wire/variant_codec.h"

namespace shoal {
namespace {

// Values in a datagram (an array's elements, a map entry counting 2): the
// largest honest one, a STORE of kMaxStoreEntries, holds about 80.
constexpr UnpackLimits kLimits{.values = 256, .depth = 6};

bool fits(const std::string& s, size_t limit) { return s.size() <= limit; }
bool fits(const DhtNode& n) { return fits(n.address, kMaxValueBytes); }
bool fits(const std::vector<DhtNode>& nodes) {
  return nodes.size() <= kMaxSuccessors &&
         std::ranges::all_of(nodes, [](const auto& n) { return fits(n); });
}
bool fits(const std::vector<std::string>& values) {
  return values.size() <= kMaxValues &&
         std::ranges::all_of(values, [](const auto& v) { return fits(v, kMaxValueBytes); });
}

// Whether every list and string in `m` is within its limit.
bool within_limits(const DhtMessage& m) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, FoundMsg> || std::is_same_v<T, NotifyMsg>) {
          return fits(x.node);
        } else if constexpr (std::is_same_v<T, StateMsg>) {
          return (!x.predecessor || fits(*x.predecessor)) && fits(x.successors);
        } else if constexpr (std::is_same_v<T, LeavingMsg>) {
          return fits(x.node) && (!x.predecessor || fits(*x.predecessor)) && fits(x.successors);
        } else if constexpr (std::is_same_v<T, StoreMsg>) {
          return x.entries.size() <= kMaxStoreEntries &&
                 std::ranges::all_of(x.entries,
                                     [](const auto& e) { return fits(e.value, kMaxValueBytes); });
        } else if constexpr (std::is_same_v<T, ValuesMsg>) {
          return fits(x.values);
        } else if constexpr (std::is_same_v<T, LookupMsg> || std::is_same_v<T, GetMsg>) {
          return fits(x.key, kMaxKeyBytes);
        } else if constexpr (std::is_same_v<T, PutMsg>) {
          return fits(x.key, kMaxKeyBytes) && fits(x.value, kMaxValueBytes);
        } else if constexpr (std::is_same_v<T, LookupResultMsg> ||
                             std::is_same_v<T, PutResultMsg>) {
          return fits(x.owner);
        } else if constexpr (std::is_same_v<T, GetResultMsg>) {
          return fits(x.owner) && fits(x.values);
        } else {
          return true;
        }
      },
      m);
}

}  // namespace

const char* dht_message_name(const DhtMessage& m) {
  static constexpr const char* kNames[] = {
      "FIND_SUCCESSOR", "FOUND",         "GET_STATE", "STATE",      "PING",   "PONG",
      "NOTIFY",         "STORE",         "STORED",    "FETCH",      "VALUES", "LEAVING",
      "LOOKUP",         "LOOKUP_RESULT", "PUT",       "PUT_RESULT", "GET",    "GET_RESULT",
      "STATS",          "STATS_RESULT",  "DHT_ERROR"};
  static_assert(std::size(kNames) == std::variant_size_v<DhtMessage>);
  return kNames[m.index()];
}

std::vector<uint8_t> encode_datagram(const Datagram& d) {
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> pk(body);
  pk.pack_array(3);
  pk.pack(static_cast<uint32_t>(d.msg.index() + 1));
  pk.pack(d.txid);
  std::visit([&](const auto& msg) { pk.pack(msg); }, d.msg);
  return {body.data(), body.data() + body.size()};
}

Result<Datagram> decode_datagram(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxDatagram) {
    return Error{"datagram of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                 std::to_string(kMaxDatagram) + "-byte limit"};
  }
  auto unpacked = unpack_bounded(bytes, kLimits);
  if (!unpacked) return Error{"malformed datagram: " + unpacked.error()};
  try {
    const msgpack::object& o = unpacked->get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 3 ||
        o.via.array.ptr[0].type != msgpack::type::POSITIVE_INTEGER ||
        o.via.array.ptr[1].type != msgpack::type::POSITIVE_INTEGER ||
        o.via.array.ptr[2].type != msgpack::type::ARRAY) {
      return Error{"datagram is not [type, txid, [fields]]"};
    }
    auto msg = convert_alternative<DhtMessage>(o.via.array.ptr[0].via.u64, o.via.array.ptr[2]);
    if (!msg) return Error{msg.error()};
    if (!within_limits(*msg)) {
      return Error{std::string(dht_message_name(*msg)) + " exceeds a size limit"};
    }
    return Datagram{o.via.array.ptr[1].via.u64, std::move(*msg)};
  } catch (const std::exception& e) {
    return Error{std::string("malformed datagram: ") + e.what()};
  }
}

}  // namespace shoal
