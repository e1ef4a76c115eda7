#pragma once
// How a wall-clock time (ms since the epoch, WallTime in media/chunk.h)
// travels: msgpack's timestamp extension (type -1), in the smallest of its 32-,
// 64- and 96-bit forms that holds it: the very bytes msgpack-cxx's chrono
// adaptor writes. It is read with checked integers instead: seconds outside
// [-2^34, 2^34) (about the years 1426 to 2514) or nanoseconds of 10^9 or more
// make the field malformed (msgpack::type_error, which the codecs turn into an
// error value). msgpack-cxx's own adaptor multiplies the seconds unchecked,
// which overflows (undefined behaviour) on a hostile 96-bit timestamp.
//
// Included by media/chunk.h, so that these specializations precede every use.

#include <chrono>
#include <cstdint>
#include <msgpack.hpp>
#include <optional>

namespace shoal::wire_time {

using Ms = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline constexpr int64_t kSecondsLimit = int64_t{1} << 34;  // exclusive, either side of 0

inline uint64_t load_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

inline void store_be(char* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}

// Milliseconds since the epoch from a timestamp extension's payload (4, 8 or
// 12 bytes); nullopt if it has another size or a value out of range.
inline std::optional<int64_t> read_ms(const char* data, uint32_t size) {
  int64_t sec = 0;
  uint64_t nsec = 0;
  switch (size) {
    case 4:
      sec = static_cast<int64_t>(load_be(data, 4));
      break;
    case 8: {
      const uint64_t v = load_be(data, 8);
      nsec = v >> 34;
      sec = static_cast<int64_t>(v & ((uint64_t{1} << 34) - 1));
      break;
    }
    case 12:
      nsec = load_be(data, 4);
      sec = static_cast<int64_t>(load_be(data + 4, 8));
      break;
    default:
      return std::nullopt;
  }
  if (nsec >= 1'000'000'000 || sec < -kSecondsLimit || sec >= kSecondsLimit) return std::nullopt;
  return sec * 1000 + static_cast<int64_t>(nsec / 1'000'000);
}

}  // namespace shoal::wire_time

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  // Both `as` (which msgpack prefers where it exists, as for any time_point)
  // and `convert`.
  template <>
  struct as<shoal::wire_time::Ms> {
    shoal::wire_time::Ms operator()(const msgpack::object& o) const {
      if (o.type != msgpack::type::EXT || o.via.ext.type() != -1) throw msgpack::type_error();
      const auto ms = shoal::wire_time::read_ms(o.via.ext.data(), o.via.ext.size);
      if (!ms) throw msgpack::type_error();
      return shoal::wire_time::Ms(std::chrono::milliseconds(*ms));
    }
  };

  template <>
  struct convert<shoal::wire_time::Ms> {
    const msgpack::object& operator()(const msgpack::object& o, shoal::wire_time::Ms& v) const {
      v = as<shoal::wire_time::Ms>()(o);
      return o;
    }
  };

  template <>
  struct pack<shoal::wire_time::Ms> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& o, const shoal::wire_time::Ms& v) const {
      using shoal::wire_time::store_be;
      const int64_t ms = v.time_since_epoch().count();
      int64_t sec = ms / 1000;
      int64_t rem = ms % 1000;
      if (rem < 0) {
        rem += 1000;
        --sec;
      }
      const auto nsec = static_cast<uint64_t>(rem) * 1'000'000;
      char buf[12];
      if (sec >= 0 && sec < shoal::wire_time::kSecondsLimit) {
        const uint64_t data64 = nsec << 34 | static_cast<uint64_t>(sec);
        const int bytes = (data64 >> 32) == 0 ? 4 : 8;  // timestamp 32 or 64
        store_be(buf, data64, bytes);
        o.pack_ext(bytes, -1);
        return o.pack_ext_body(buf, bytes);
      }
      store_be(buf, nsec, 4);  // timestamp 96
      store_be(buf + 4, static_cast<uint64_t>(sec), 8);
      o.pack_ext(12, -1);
      return o.pack_ext_body(buf, 12);
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
