#include "http/hls_playlist.h"

#include <cmath>
#include <cstdio>

namespace shoal {

void HlsPlaylist::play(std::shared_ptr<const Chunk> chunk) {
  // A chunk skipped, or media time that jumps (the publisher was away).
  if (last_ && (chunk->seq != last_->next() || std::abs(chunk->pts_us - last_end_us_) > 500'000)) {
    close_open();
    gap_ = true;
  }
  last_ = chunk->seq;
  last_end_us_ = chunk->pts_us + int64_t{chunk->duration_ms} * 1000;
  if (chunk->random_access() && open_ && open_->duration >= target_) close_open();
  if (!open_) {
    if (!chunk->random_access()) return;  // a player starts a segment at one
    open_ = Segment{.number = next_number_++, .discontinuity = gap_ && !done_.empty()};
    gap_ = false;
  }
  open_->duration += std::chrono::milliseconds(chunk->duration_ms);
  open_->chunks.push_back(std::move(chunk));
}

void HlsPlaylist::close_open() {
  if (!open_) return;
  done_.push_back(std::move(*open_));
  open_.reset();
  while (done_.size() > window_) done_.pop_front();
}

std::optional<std::string> HlsPlaylist::playlist() const {
  if (done_.empty()) return std::nullopt;
  std::chrono::milliseconds longest{0};
  for (const Segment& s : done_) longest = std::max(longest, s.duration);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" +
                    std::to_string(static_cast<int>(std::ceil(longest.count() / 1000.0))) +
                    "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(done_.front().number) + "\n";
  for (const Segment& s : done_) {
    if (s.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    char extinf[48];
    std::snprintf(extinf, sizeof(extinf), "#EXTINF:%.3f,\n", s.duration.count() / 1000.0);
    out += extinf;
    out += "seg/" + std::to_string(s.number) + ".ts\n";
  }
  return out;
}

std::optional<std::string> HlsPlaylist::segment(uint64_t n) const {
  for (const Segment& s : done_) {
    if (s.number != n) continue;
    std::string bytes;
    for (const auto& c : s.chunks) bytes.append(c->payload.begin(), c->payload.end());
    return bytes;
  }
  return std::nullopt;
}

}  // namespace shoal
