// Fuzz target: one peer-wire frame (overlay/wire/codec.h), as a viewer, the
// source or a tracker reads it from a connection. Whatever decodes must encode
// again to a frame that decodes to the same bytes, and cost what frame_size
// says.
#include <cstdlib>

#include "overlay/wire/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shoal;
  const auto m = decode_frame(std::span(data, size));
  if (!m) return 0;
  const auto again = encode_frame(*m);
  if (frame_size(*m) != again.size()) std::abort();
  const auto limits = frame_limits(again[kFrameHeader + 1]);
  // A field sent as a short str comes back as a bin one byte longer: only a
  // frame within its limit must decode again.
  if (!limits || again.size() - kFrameHeader > limits->body_bytes) return 0;
  const auto back = decode_frame(again);
  if (!back || back->index() != m->index() || encode_frame(*back) != again) std::abort();
  return 0;
}
