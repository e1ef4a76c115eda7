#include "media/chunker.h"

namespace shoal {

Chunker::Decision Chunker::classify(std::chrono::microseconds t, bool primary,
                                    bool random_access) const {
  if (!current_) return primary && random_access ? Decision::kCut : Decision::kDrop;
  if (!primary) return Decision::kAppend;
  const auto elapsed = t - start_;
  if ((random_access && elapsed >= target_) || elapsed >= 2 * target_) return Decision::kCut;
  return Decision::kAppend;
}

std::optional<Chunk> Chunker::cut(std::chrono::microseconds t, bool random_access,
                                  WallTime capture) {
  auto closed = close(t);
  current_.emplace();
  current_->seq = next_seq_;
  next_seq_ = next_seq_.next();
  current_->capture_time = capture;
  current_->pts_us = t.count();
  current_->flags = random_access ? Chunk::kRandomAccess : 0;
  start_ = t;
  return closed;
}

void Chunker::append(std::span<const uint8_t> ts) {
  if (current_) current_->payload.insert(current_->payload.end(), ts.begin(), ts.end());
}

std::optional<Chunk> Chunker::finish(std::chrono::microseconds end) { return close(end); }

std::optional<Chunk> Chunker::close(std::chrono::microseconds end) {
  if (!current_) return std::nullopt;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - start_);
  current_->duration_ms = static_cast<uint32_t>(std::max<int64_t>(ms.count(), 0));
  auto closed = std::move(current_);
  current_.reset();
  return closed;
}

}  // namespace shoal
