#pragma once
// Fixed-size byte strings: the channel id (an Ed25519 public key) and chunk
// signatures. On the wire each is a msgpack bin of exactly its size.

#include <array>
#include <cstdint>
#include <cstring>
#include <msgpack.hpp>

namespace shoal {

using ChannelId = std::array<uint8_t, 32>;  // the source's Ed25519 public key
using Signature = std::array<uint8_t, 64>;

}  // namespace shoal

// msgpack-cxx's own std::array adaptor accepts shorter input, and
// reads past a short str, so these full specializations replace it.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <size_t N>
  struct convert_exact_bin {
    const msgpack::object& operator()(const msgpack::object& o, std::array<uint8_t, N>& v) const {
      if (o.type != msgpack::type::BIN || o.via.bin.size != N) throw msgpack::type_error();
      std::memcpy(v.data(), o.via.bin.ptr, N);
      return o;
    }
  };
  template <>
  struct convert<shoal::ChannelId> : convert_exact_bin<32> {};
  template <>
  struct convert<shoal::Signature> : convert_exact_bin<64> {};
  }  // namespace adaptor
}
}  // namespace msgpack
