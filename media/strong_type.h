#pragma once
// Strong<T, Tag>: a value of T that does not mix with other T's.
// ChunkSeq, PeerId and ConnId are all 64-bit numbers; this keeps them apart at
// compile time. Packs on the wire as the bare T.

#include <compare>
#include <functional>
#include <msgpack.hpp>

namespace shoal {

template <typename T, typename Tag>
struct Strong {
  T value{};

  constexpr Strong() = default;
  constexpr explicit Strong(T v) : value(v) {}
  constexpr auto operator<=>(const Strong&) const = default;
};

}  // namespace shoal

template <typename T, typename Tag>
struct std::hash<shoal::Strong<T, Tag>> {
  size_t operator()(const shoal::Strong<T, Tag>& s) const noexcept { return std::hash<T>{}(s.value); }
};

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <typename T, typename Tag>
  struct convert<shoal::Strong<T, Tag>> {
    const msgpack::object& operator()(const msgpack::object& o, shoal::Strong<T, Tag>& v) const {
      v.value = o.as<T>();
      return o;
    }
  };
  template <typename T, typename Tag>
  struct pack<shoal::Strong<T, Tag>> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& p, const shoal::Strong<T, Tag>& v) const {
      return p.pack(v.value);
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
