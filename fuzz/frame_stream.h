#pragma once
// Cuts a fuzz input into the frames a connection would read from it: each a
// 4-byte big-endian length and that many bytes of body, as far as the input
// goes (the last may be cut short). A fuzz target that reads several frames,
// as a tracker or a viewer reads a connection, walks them with this.

#include <cstddef>
#include <cstdint>
#include <span>

#include "overlay/wire/codec.h"

namespace shoal::fuzz {

class FrameStream {
 public:
  explicit FrameStream(std::span<const uint8_t> input) : rest_(input) {}

  // The next frame, header included; empty at the end of the input.
  std::span<const uint8_t> next() {
    if (rest_.size() < kFrameHeader) return {};
    const size_t n =
        size_t{rest_[0]} << 24 | size_t{rest_[1]} << 16 | size_t{rest_[2]} << 8 | rest_[3];
    const size_t take = kFrameHeader + std::min(n, rest_.size() - kFrameHeader);
    const auto frame = rest_.first(take);
    rest_ = rest_.subspan(take);
    return frame;
  }

 private:
  std::span<const uint8_t> rest_;
};

}  // namespace shoal::fuzz
