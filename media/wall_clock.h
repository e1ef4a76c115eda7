#pragma once
// The wall clock, read where time enters a process: the Asio transport, the
// ingest thread, the tracker. Engines never call it; they are given the time.

#include <chrono>

#include "media/chunk.h"

namespace shoal {

inline WallTime wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace shoal
