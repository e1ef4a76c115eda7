#pragma once
// How large each type of frame may be (docs/protocol.md, "Limits"). Control
// frames are small; only CHUNK carries a whole chunk. A body's values (every
// array element, a map entry counting 2; its root excluded) bound what the
// decoder allocates: 24 bytes each before conversion (overlay/wire/
// bounded_unpack.h), so no type allows more than about a thousand. Each
// message has room for fields a later version appends.

#include <cstddef>
#include <cstdint>
#include <optional>

namespace shoal {

inline constexpr size_t kMaxFrame = 4 << 20;  // body bytes, of any type (CHUNK)

struct FrameLimits {
  size_t body_bytes = 0;
  size_t values = 0;
};

// The limits of a frame of wire type `type`; nullopt for a type this version
// does not know.
std::optional<FrameLimits> frame_limits(uint64_t type);

}  // namespace shoal
