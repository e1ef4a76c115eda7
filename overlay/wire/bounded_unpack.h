#pragma once
// Unpacking one msgpack value with its memory bounded before anything is
// allocated. msgpack-cxx reserves room for every element an array or map
// header declares, before the elements arrive: a 3-byte header makes it
// allocate 1.5 MiB, a frame of nils 24 bytes per byte.
//
// So a first pass (msgpack's own parser, with a visitor that allocates
// nothing) counts the values the input declares, an array of n as n and a map
// of n as 2n the moment the header is read, and refuses the input as soon as
// more than `values` are declared or nesting passes `depth`; it also refuses
// truncated input and trailing bytes. Only then does msgpack unpack it, into a
// zone sized for exactly the values counted (sizeof(msgpack::object), 24
// bytes, each; one allocation), with every str, bin and ext referring to
// `bytes` rather than copied.

#include <cstddef>
#include <cstdint>
#include <msgpack.hpp>
#include <span>

#include "media/result.h"

namespace shoal {

struct UnpackLimits {
  size_t values = 0;  // inside the root: every element, a map entry counting 2
  size_t depth = 0;   // containers nested, the root's included
};

// The value in `bytes`, which must hold exactly one. The handle owns the zone;
// the objects' str, bin and ext point into `bytes`, which must outlive it.
Result<msgpack::object_handle> unpack_bounded(std::span<const uint8_t> bytes, UnpackLimits limits);

}  // namespace shoal
