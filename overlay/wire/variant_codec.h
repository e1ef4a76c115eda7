#pragma once
// Unpacking of a message variant from its wire type code (variant index + 1)
// and its msgpack fields; shared by the peer protocol and the DHT's datagrams.

#include <msgpack.hpp>
#include <string>
#include <variant>

#include "media/result.h"

namespace shoal {

// The alternative of `Variant` whose index + 1 is `type`, converted from
// `fields`; msgpack throws on fields of the wrong shape.
template <typename Variant, size_t I = 0>
Result<Variant> convert_alternative(uint64_t type, const msgpack::object& fields) {
  if constexpr (I < std::variant_size_v<Variant>) {
    if (type == I + 1) {
      std::variant_alternative_t<I, Variant> m;
      fields.convert(m);
      return Variant(std::move(m));
    }
    return convert_alternative<Variant, I + 1>(type, fields);
  } else {
    return Error{"unknown message type " + std::to_string(type)};
  }
}

}  // namespace shoal
