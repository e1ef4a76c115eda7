#include "peer/stream_meter.h"

#include <cmath>

namespace shoal {

void StreamMeter::add(const Chunk& chunk) {
  bytes_ += chunk.payload.size();
  ms_ += chunk.duration_ms;
  ++chunks_;
}

void StreamMeter::announce(uint64_t bytes_per_second) {
  if (bytes_per_second > 0) announced_ = bytes_per_second;
}

std::optional<double> StreamMeter::rate() const {
  if (announced_ > 0) return static_cast<double>(announced_);
  if (ms_ == 0) return std::nullopt;
  return static_cast<double>(bytes_) * 1000.0 / static_cast<double>(ms_);
}

bool UploadCapacity::follow(std::optional<double> stream_rate) {
  if (!limit_.stream_multiple || !stream_rate) return false;
  const double capacity = *limit_.stream_multiple * *stream_rate;
  if (value_ && std::abs(*value_ - capacity) <= 0.1 * *value_) return false;
  value_ = capacity;
  return true;
}

}  // namespace shoal
