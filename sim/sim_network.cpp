#include "sim/sim_network.h"

#include "overlay/wire/codec.h"

namespace shoal::sim {

SimConnection::SimConnection(EventQueue& events, SimTime latency, Endpoint remote)
    : events_(events), latency_(latency), remote_(std::move(remote)) {}

void SimConnection::send(const Message& m) {
  if (closing_) return;
  const bool chunk = std::holds_alternative<ChunkMsg>(m);
  Frame frame{std::make_shared<const Message>(m), encode_frame(m).size()};
  (chunk ? traffic_.chunk_out : traffic_.control_out) += frame.bytes;
  (chunk ? chunks_ : control_).push_back(std::move(frame));
  pump();
}

void SimConnection::close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  pump();
}

void SimConnection::kill() {
  if (closed_) return;
  shut("process gone", false);
}

void SimConnection::pump() {
  if (closed_) return;
  if (!writing_) {
    if (!control_.empty()) {
      write(control_, false);
    } else if (!chunks_.empty() && (chunk_granted_ || !uplink_)) {
      write(chunks_, true);
    } else if (closing_ && chunks_.empty()) {
      return shut(close_reason_, true);
    }
  }
  // The next chunk waits for its tokens while this write is in flight.
  if (uplink_ && !chunks_.empty() && !chunk_granted_ && wait_ == 0) {
    wait_ = uplink_->acquire(chunks_.front().bytes, [weak = weak_from_this()] {
      if (const auto self = weak.lock()) self->on_granted();
    });
  }
}

void SimConnection::on_granted() {
  wait_ = 0;
  chunk_granted_ = true;
  pump();
}

void SimConnection::write(std::deque<Frame>& queue, bool chunk) {
  Frame frame = std::move(queue.front());
  queue.pop_front();
  writing_ = true;
  if (chunk) {
    chunk_granted_ = false;
  } else if (uplink_) {
    uplink_->charge(frame.bytes);
  }
  if (const auto other = other_.lock()) {
    events_.after(latency_, [other, frame] { other->receive(frame); });
  }
  events_.after(SimTime(0), [self = shared_from_this(), chunk] { self->on_written(chunk); });
}

void SimConnection::on_written(bool chunk) {
  if (closed_) return;
  writing_ = false;
  if (chunk && handler_.on_chunk_sent) handler_.on_chunk_sent();
  pump();
}

void SimConnection::receive(const Frame& frame) {
  if (closing_) return;
  (std::holds_alternative<ChunkMsg>(*frame.msg) ? traffic_.chunk_in : traffic_.control_in) +=
      frame.bytes;
  handler_.on_message(*frame.msg);
}

void SimConnection::shut(const std::string& reason, bool notify) {
  if (closed_) return;
  closed_ = closing_ = true;
  const auto keep_alive = shared_from_this();  // on_closed may drop the owner's reference
  if (wait_ != 0 && uplink_) uplink_->cancel(wait_);
  wait_ = 0;
  control_.clear();
  chunks_.clear();
  chunk_granted_ = false;
  tell_other_closed();
  if (notify && handler_.on_closed)
    handler_.on_closed(close_reason_.empty() ? reason : close_reason_);
}

void SimConnection::tell_other_closed() {
  if (const auto other = other_.lock()) {
    events_.after(latency_, [other] { other->shut("closed by remote", true); });
  }
}

void SimNetwork::listen(const Endpoint& at, AcceptFn on_accept) {
  listening_[at.to_string()] = std::move(on_accept);
}

void SimNetwork::unlisten(const Endpoint& at) { listening_.erase(at.to_string()); }

void SimNetwork::dial(const std::string& from_host, const Endpoint& to, ConnectFn on_connected,
                      FailFn on_failed) {
  events_.after(latency_, [this, from_host, to, on_connected = std::move(on_connected),
                           on_failed = std::move(on_failed)] {
    const auto it = listening_.find(to.to_string());
    if (it == listening_.end()) {
      events_.after(latency_, [on_failed] { on_failed("connection refused"); });
      return;
    }
    const Endpoint from{from_host, next_port_};
    next_port_ = next_port_ == 65535 ? 32768 : next_port_ + 1;
    auto accepted = std::make_shared<SimConnection>(events_, latency_, from);
    auto dialled = std::make_shared<SimConnection>(events_, latency_, to);
    accepted->other_ = dialled;
    dialled->other_ = accepted;
    const AcceptFn accept = it->second;  // a copy: the callback may unlisten
    accept(std::move(accepted));
    on_connected(std::move(dialled));
  });
}

}  // namespace shoal::sim
