#include "overlay/transport/send_queue.h"

#include <utility>

namespace shoal {

void SendQueue::push(Frame frame) {
  (frame.is_chunk() ? chunks_ : control_).push_back(std::move(frame));
}

std::optional<Frame> SendQueue::start_write() {
  if (writing_) return std::nullopt;
  std::deque<Frame>* from = nullptr;
  if (!control_.empty()) {
    from = &control_;
  } else if (!chunks_.empty() && granted_) {
    from = &chunks_;
    granted_ = false;
  } else {
    return std::nullopt;
  }
  Frame frame = std::move(from->front());
  from->pop_front();
  writing_ = true;
  writing_chunk_ = from == &chunks_ && frame.completes_chunk();
  return frame;
}

bool SendQueue::written() {
  writing_ = false;
  return std::exchange(writing_chunk_, false);
}

std::optional<size_t> SendQueue::wants_tokens() const {
  if (chunks_.empty() || granted_ || wait_ != 0) return std::nullopt;
  return chunks_.front().bytes;
}

SendQueue::Ticket SendQueue::clear() {
  control_.clear();
  chunks_.clear();
  granted_ = writing_ = writing_chunk_ = false;
  return std::exchange(wait_, 0);
}

}  // namespace shoal
