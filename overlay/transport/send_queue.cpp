#include "overlay/transport/send_queue.h"

#include <utility>

namespace shoal {

SendQueue::Ticket SendQueue::push(Frame frame) {
  if (!frame.is_chunk()) {
    control_.push_back(std::move(frame));
    return 0;
  }
  const bool urgent = frame.urgent();
  (urgent ? urgent_ : data_).push_back(std::move(frame));
  if (!urgent || wait_ == 0 || wait_urgent_) return 0;
  return std::exchange(wait_, 0);
}

std::optional<Frame> SendQueue::start_write() {
  if (writing_) return std::nullopt;
  std::deque<Frame>* from = nullptr;
  if (!control_.empty()) {
    from = &control_;
  } else if (granted_ != Lane::none) {
    from = std::exchange(granted_, Lane::none) == Lane::urgent ? &urgent_ : &data_;
  } else {
    return std::nullopt;
  }
  Frame frame = std::move(from->front());
  from->pop_front();
  writing_ = true;
  writing_chunk_ = from != &control_ && frame.completes_chunk();
  return frame;
}

bool SendQueue::written() {
  writing_ = false;
  return std::exchange(writing_chunk_, false);
}

std::optional<SendQueue::TokenAsk> SendQueue::wants_tokens() const {
  if (granted_ != Lane::none || wait_ != 0) return std::nullopt;
  if (!urgent_.empty()) return TokenAsk{urgent_.front().bytes, true};
  if (!data_.empty()) return TokenAsk{data_.front().bytes, false};
  return std::nullopt;
}

SendQueue::Ticket SendQueue::drop_chunks() {
  urgent_.clear();
  data_.clear();
  granted_ = Lane::none;
  return std::exchange(wait_, 0);
}

SendQueue::Ticket SendQueue::clear() {
  control_.clear();
  urgent_.clear();
  data_.clear();
  granted_ = Lane::none;
  writing_ = writing_chunk_ = false;
  return std::exchange(wait_, 0);
}

}  // namespace shoal
