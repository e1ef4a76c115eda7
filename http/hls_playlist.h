#pragma once
// HlsPlaylist: live HLS (RFC 8216) from the chunks a viewer plays, for
// browsers and phones (`/live.m3u8`). Chunks are grouped into segments that
// each start at a random-access chunk and last at least `target`; the
// playlist slides over the last `window` of them. A chunk skipped in
// playback, or a jump in media time (a publisher that was away), ends the
// segment under way, and the next one is marked as a discontinuity. Segments hold the chunks played (shared, not copied).
//
// Pure logic, no IO: fed chunks, asked for text and bytes.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/chunk.h"

namespace shoal {

class HlsPlaylist {
 public:
  explicit HlsPlaylist(std::chrono::milliseconds target = std::chrono::milliseconds(2000),
                       size_t window = 6)
      : target_(target), window_(window) {}

  // A chunk as it plays, in play order.
  void play(std::shared_ptr<const Chunk> chunk);
  // The media playlist; nullopt before a segment is complete.
  std::optional<std::string> playlist() const;
  // The bytes of segment `n` while the playlist lists it.
  std::optional<std::string> segment(uint64_t n) const;

 private:
  struct Segment {
    uint64_t number = 0;
    std::vector<std::shared_ptr<const Chunk>> chunks;
    std::chrono::milliseconds duration{0};
    bool discontinuity = false;
  };
  void close_open();

  std::chrono::milliseconds target_;
  size_t window_;
  std::deque<Segment> done_;
  std::optional<Segment> open_;
  std::optional<ChunkSeq> last_;
  int64_t last_end_us_ = 0;  // media time where the last chunk played ends
  bool gap_ = false;  // a chunk was skipped since the last segment began
  uint64_t next_number_ = 0;
};

}  // namespace shoal
