#pragma once
// Following the stream's rate, the one way the source and the viewers do it.
//
// StreamMeter: the stream's rate and mean chunk size, measured over the
// chunks a node holds (the source: those it published; a viewer: those it
// received) or, for a viewer, as the source announces it in its BUFFER_MAP,
// which a newcomer hears before its first chunk.
//
// UploadCapacity: what a node may upload, from its UploadLimit: nothing
// fixed, a fixed rate, or a multiple of the stream's rate that follows the
// rate as it is learnt. Until then a relative limit allows nothing. It is
// re-set only when the rate moves by more than a tenth, so the uplink is not
// re-set for every chunk.
//
// Units: bytes and bytes per second. Sans IO.

#include <cstdint>
#include <optional>

#include "media/chunk.h"
#include "overlay/limits/upload_limit.h"

namespace shoal {

class StreamMeter {
 public:
  void add(const Chunk& chunk);
  // The source's word on the rate; 0 (unknown) is ignored.
  void announce(uint64_t bytes_per_second);

  // As announced, else as measured; nullopt before either.
  std::optional<double> rate() const;
  // As measured, whole bytes/s, for the source to announce; 0 before any chunk.
  uint64_t measured_rate() const { return ms_ == 0 ? 0 : bytes_ * 1000 / ms_; }
  // Payload bytes of the chunks measured, on average; 0 before any.
  double mean_chunk_bytes() const {
    return chunks_ == 0 ? 0 : static_cast<double>(bytes_) / static_cast<double>(chunks_);
  }

 private:
  uint64_t bytes_ = 0;
  uint64_t ms_ = 0;
  uint64_t chunks_ = 0;
  uint64_t announced_ = 0;
};

class UploadCapacity {
 public:
  explicit UploadCapacity(UploadLimit limit) : limit_(limit), value_(limit.resolve(std::nullopt)) {}

  // Re-resolves a relative limit at `stream_rate`; true if the capacity changed.
  bool follow(std::optional<double> stream_rate);
  // bytes/s; nullopt: no limit; 0: nothing.
  std::optional<double> value() const { return value_; }

 private:
  UploadLimit limit_;
  std::optional<double> value_;
};

}  // namespace shoal
