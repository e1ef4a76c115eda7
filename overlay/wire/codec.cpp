#include "overlay/wire/codec.h"

#include <msgpack.hpp>

#include "overlay/wire/bounded_unpack.h"
#include "overlay/wire/variant_codec.h"

namespace shoal {
namespace {

constexpr size_t kMaxDepth = 8;
constexpr uint8_t kArrayOf2 = 0x92;

constexpr const char* kNames[] = {
    "HELLO", "BUFFER_MAP", "HAVE",  "REQUEST", "CANCEL", "CHUNK",      "CHOKE", "UNCHOKE",
    "PEX",   "BYE",        "ANNOUNCE", "PEERS", "ERROR", "REJECT", "CHUNK_HEAD", "PIECE",
    "STRIPES", "SUBSCRIBE", "TIME_QUERY", "TIME_REPLY", "HOLE_PUNCH", "OFFENDER"};
static_assert(std::size(kNames) == std::variant_size_v<Message>);

// A msgpack stream that only counts what would be written.
struct ByteCounter {
  size_t bytes = 0;
  void write(const char*, size_t n) { bytes += n; }
};

// Packs `m` as a frame body `[type, [fields]]`.
template <typename Stream>
void pack_body(Stream& out, const Message& m) {
  msgpack::packer<Stream> pk(out);
  pk.pack_array(2);
  pk.pack(static_cast<uint32_t>(m.index() + 1));
  std::visit([&](const auto& msg) { pk.pack(msg); }, m);
}

}  // namespace

const char* message_name(const Message& m) { return kNames[m.index()]; }

std::vector<uint8_t> encode_frame(const Message& m) {
  msgpack::sbuffer body;
  pack_body(body, m);

  const auto n = static_cast<uint32_t>(body.size());
  std::vector<uint8_t> frame;
  frame.reserve(kFrameHeader + body.size());
  for (const int shift : {24, 16, 8, 0}) frame.push_back(static_cast<uint8_t>(n >> shift));
  frame.insert(frame.end(), body.data(), body.data() + body.size());
  return frame;
}

size_t frame_size(const Message& m) {
  ByteCounter counter;
  pack_body(counter, m);
  return kFrameHeader + counter.bytes;
}

Result<size_t> decode_frame_length(std::span<const uint8_t, kFrameHeader> h) {
  const size_t n = size_t{h[0]} << 24 | size_t{h[1]} << 16 | size_t{h[2]} << 8 | h[3];
  if (n == 0) return Error{"empty frame"};
  if (n > kMaxFrame) {
    return Error{"frame of " + std::to_string(n) + " bytes exceeds the " +
                 std::to_string(kMaxFrame) + "-byte limit"};
  }
  return n;
}

Result<FrameLimits> check_body_start(std::span<const uint8_t> start, size_t body_length) {
  if (start.size() < kBodyStart) return Error{"truncated message"};
  if (start[0] != kArrayOf2 || start[1] > 0x7f) return Error{"frame is not [type, [fields]]"};
  const uint8_t type = start[1];
  const auto limits = frame_limits(type);
  if (!limits) return Error{"unknown message type " + std::to_string(type)};
  if (body_length > limits->body_bytes) {
    return Error{std::string(kNames[type - 1]) + " frame of " + std::to_string(body_length) +
                 " bytes exceeds its " + std::to_string(limits->body_bytes) + "-byte limit"};
  }
  return *limits;
}

Result<Message> decode_body(std::span<const uint8_t> body) {
  const auto limits = check_body_start(body.first(std::min(body.size(), kBodyStart)), body.size());
  if (!limits) return Error{limits.error()};
  auto unpacked = unpack_bounded(body, {.values = limits->values, .depth = kMaxDepth});
  if (!unpacked) return Error{"malformed message: " + unpacked.error()};
  try {
    const msgpack::object& o = unpacked->get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 2 ||
        o.via.array.ptr[0].type != msgpack::type::POSITIVE_INTEGER ||
        o.via.array.ptr[1].type != msgpack::type::ARRAY) {
      return Error{"frame is not [type, [fields]]"};
    }
    return convert_alternative<Message>(o.via.array.ptr[0].via.u64, o.via.array.ptr[1]);
  } catch (const std::exception& e) {
    return Error{std::string("malformed message: ") + e.what()};
  }
}

Result<Message> decode_frame(std::span<const uint8_t> frame) {
  if (frame.size() < kFrameHeader) return Error{"truncated frame header"};
  auto n = decode_frame_length(frame.first<kFrameHeader>());
  if (!n) return Error{n.error()};
  if (frame.size() - kFrameHeader != *n) return Error{"frame length does not match its header"};
  return decode_body(frame.subspan(kFrameHeader));
}

}  // namespace shoal
