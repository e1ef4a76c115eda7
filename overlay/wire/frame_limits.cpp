#include "overlay/wire/frame_limits.h"

#include <type_traits>
#include <variant>

#include "overlay/wire/messages.h"

namespace shoal {
namespace {

// Room for fields a later version appends, in values.
constexpr size_t kSpare = 32;
// A control frame: a few numbers and short strings.
constexpr FrameLimits kControl{4 << 10, kSpare};

template <typename M>
constexpr FrameLimits limits_of() {
  if constexpr (std::is_same_v<M, ChunkMsg>) {
    return {kMaxFrame, kSpare};
  } else if constexpr (std::is_same_v<M, PieceMsg>) {
    return {64 << 10, kSpare};  // a piece is at most kPieceTarget (8 KiB)
  } else if constexpr (std::is_same_v<M, ChunkHeadMsg>) {
    return {64 << 10, kMaxPieces + kSpare};  // 34 bytes a digest
  } else if constexpr (std::is_same_v<M, BufferMapMsg>) {
    return {64 << 10, kSpare};  // two bit arrays of up to 256 Ki chunks each
  } else if constexpr (std::is_same_v<M, HaveMsg>) {
    return {16 << 10, kHaveSeqs + kSpare};
  } else if constexpr (std::is_same_v<M, PeersMsg>) {
    return {16 << 10, kPeersAddresses + kSpare};
  } else if constexpr (std::is_same_v<M, PexMsg>) {
    return {kControl.body_bytes, kPexAddresses + kSpare};
  } else if constexpr (std::is_same_v<M, HolePunchMsg>) {
    return {kControl.body_bytes, kHolePunchAddresses + kSpare};
  } else if constexpr (std::is_same_v<M, StripesMsg>) {
    return {kControl.body_bytes, 2 * kSpare};  // three lists of kStripes entries
  } else {
    return kControl;
  }
}

template <size_t I = 0>
std::optional<FrameLimits> limits_of_type(uint64_t type) {
  if constexpr (I < std::variant_size_v<Message>) {
    if (type == I + 1) return limits_of<std::variant_alternative_t<I, Message>>();
    return limits_of_type<I + 1>(type);
  } else {
    return std::nullopt;
  }
}

}  // namespace

std::optional<FrameLimits> frame_limits(uint64_t type) { return limits_of_type(type); }

}  // namespace shoal
