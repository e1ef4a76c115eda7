#include "peer/upload_queue.h"

#include <algorithm>

namespace shoal {

void UploadQueue::push(ConnId from, ChunkSeq seq, WallTime now,
                       std::optional<std::chrono::milliseconds> wait, Priority priority,
                       uint8_t stripes, double bytes) {
  const bool queued = std::ranges::any_of(
      queue_, [&](const QueuedRequest& r) { return r.from == from && r.seq == seq; });
  if (queued) return;
  const auto at = priority == Priority::common
                      ? queue_.end()
                      : std::ranges::find(queue_, Priority::common, &QueuedRequest::priority);
  queue_.insert(at,
                {from, seq, now + std::min(wait.value_or(max_age_), max_age_), priority, stripes, bytes});
}

bool UploadQueue::cancel(ConnId from, ChunkSeq seq) {
  return std::erase_if(queue_, [&](const QueuedRequest& r) { return r.from == from && r.seq == seq; }) > 0;
}

void UploadQueue::forget(ConnId from) {
  std::erase_if(queue_, [&](const QueuedRequest& r) { return r.from == from; });
  in_link_.erase(from);
}

std::vector<QueuedRequest> UploadQueue::drop_stale(WallTime now,
                                                   std::optional<double> bytes_per_second) {
  std::vector<QueuedRequest> stale;
  const double rate = bytes_per_second.value_or(0);
  std::erase_if(queue_, [&](const QueuedRequest& r) {
    const auto through = rate > 0 ? std::chrono::milliseconds(
                                        static_cast<int64_t>(1000 * r.bytes / rate))
                                  : std::chrono::milliseconds(0);
    if (now + through <= r.give_up) return false;
    stale.push_back(r);
    return true;
  });
  return stale;
}

std::optional<QueuedRequest> UploadQueue::pop(WallTime now) {
  while (in_link() < pipe_ && !queue_.empty()) {
    const QueuedRequest r = queue_.front();
    queue_.pop_front();
    if (now > r.give_up) continue;
    ++in_link_[r.from];
    return r;
  }
  return std::nullopt;
}

void UploadQueue::sent(ConnId to) {
  const auto it = in_link_.find(to);
  if (it != in_link_.end() && --it->second <= 0) in_link_.erase(it);
}

bool UploadQueue::would_wait(std::chrono::milliseconds limit, double chunk_bytes,
                             std::optional<double> bytes_per_second, Priority priority) const {
  if (!bytes_per_second || *bytes_per_second <= 0 || chunk_bytes <= 0) return false;
  const auto queued = priority == Priority::common
                          ? queue_.size()
                          : std::ranges::count(queue_, Priority::seed, &QueuedRequest::priority);
  const double ahead =
      static_cast<double>(in_link()) * chunk_bytes + static_cast<double>(queued) * chunk_bytes;
  return std::chrono::milliseconds(static_cast<int64_t>(1000 * ahead / *bytes_per_second)) > limit;
}

int UploadQueue::in_link() const {
  int n = 0;
  for (const auto& [conn, count] : in_link_) n += count;
  return n;
}

}  // namespace shoal
