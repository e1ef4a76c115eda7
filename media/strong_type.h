#pragma once
// Strong<T, Tag>: a value of T that does not mix with other T's.
// ChunkSeq, PeerId and ConnId are all 64-bit numbers; this keeps them apart at
// compile time. Packs on the wire as the bare T.

#include <compare>
#include <functional>
#include <msgpack.hpp>
#include <type_traits>

namespace shoal {

template <typename T, typename Tag>
struct Strong {
  using value_type = T;
  using tag_type = Tag;
  T value{};

  constexpr Strong() = default;
  constexpr explicit Strong(T v) : value(v) {}
  constexpr auto operator<=>(const Strong&) const = default;
};

}  // namespace shoal

template <typename T, typename Tag>
struct std::hash<shoal::Strong<T, Tag>> {
  size_t operator()(const shoal::Strong<T, Tag>& s) const noexcept {
    return std::hash<T>{}(s.value);
  }
};

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  // Any type derived from a Strong (ChunkSeq adds arithmetic) packs as its value.
  template <typename S>
  using if_strong = std::enable_if_t<
      std::is_base_of_v<shoal::Strong<typename S::value_type, typename S::tag_type>, S>>;

  template <typename S>
  struct convert<S, if_strong<S>> {
    const msgpack::object& operator()(const msgpack::object& o, S& v) const {
      v.value = o.as<typename S::value_type>();
      return o;
    }
  };
  template <typename S>
  struct pack<S, if_strong<S>> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& p, const S& v) const {
      return p.pack(v.value);
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
