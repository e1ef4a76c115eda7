#include "overlay/wire/codec.h"

#include <msgpack.hpp>

#include "overlay/wire/variant_codec.h"

namespace shoal {
namespace {

// No honest message holds more than this many elements in one container; a
// lying header must not make the unpacker allocate for it.
constexpr size_t kMaxElements = 64 * 1024;
constexpr size_t kMaxDepth = 8;

const msgpack::unpack_limit kLimits(kMaxElements, kMaxElements, kMaxFrame, kMaxFrame, kMaxFrame,
                                    kMaxDepth);

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

const char* message_name(const Message& m) {
  static constexpr const char* kNames[] = {
      "HELLO", "BUFFER_MAP", "HAVE",  "REQUEST", "CANCEL", "CHUNK",      "CHOKE", "UNCHOKE",
      "PEX",   "BYE",        "ANNOUNCE", "PEERS", "ERROR", "REJECT", "CHUNK_HEAD", "PIECE",
      "STRIPES", "SUBSCRIBE", "TIME_QUERY", "TIME_REPLY", "HOLE_PUNCH"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[m.index()];
}

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

Result<Message> decode_body(std::span<const uint8_t> body) {
  try {
    std::size_t off = 0;
    msgpack::object_handle oh = msgpack::unpack(reinterpret_cast<const char*>(body.data()),
                                                body.size(), off, nullptr, nullptr, kLimits);
    if (off != body.size()) return Error{"trailing bytes after message"};
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 2 ||
        o.via.array.ptr[0].type != msgpack::type::POSITIVE_INTEGER ||
        o.via.array.ptr[1].type != msgpack::type::ARRAY) {
      return Error{"frame is not [type, [fields]]"};
    }
    return convert_alternative<Message>(o.via.array.ptr[0].via.u64, o.via.array.ptr[1]);
  } catch (const msgpack::insufficient_bytes&) {
    return Error{"truncated message"};
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
