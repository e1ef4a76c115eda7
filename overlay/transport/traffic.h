#pragma once
// Traffic: frame bytes a connection moved, split into chunk frames and
// everything else (control), which is how control overhead is measured.
// Sent bytes count when a frame is queued, received ones when it is handed
// to the node.

#include <cstdint>

namespace shoal {

struct Traffic {
  uint64_t chunk_in = 0;
  uint64_t control_in = 0;
  uint64_t chunk_out = 0;
  uint64_t control_out = 0;

  Traffic& operator+=(const Traffic& o) {
    chunk_in += o.chunk_in;
    control_in += o.control_in;
    chunk_out += o.chunk_out;
    control_out += o.control_out;
    return *this;
  }
};

}  // namespace shoal
