#include "sim/sim_transport.h"

#include <algorithm>

namespace shoal::sim {

namespace {

// What the monotonic clock reads at SimTime 0: a steady clock never reads
// zero, and TokenBucket takes a zero time for "never refilled".
const MonoTime kMonoEpoch{std::chrono::hours(1)};

// A Timer on the EventQueue. Re-arming or cancelling leaves the event in the
// queue; its generation no longer matches, so it does nothing.
class SimTimer : public Timer {
 public:
  SimTimer(EventQueue& queue, std::shared_ptr<const bool> alive)
      : queue_(queue), alive_(std::move(alive)) {}

  void arm(MonoTime when, std::function<void()> fn) override {
    const uint64_t mine = ++*generation_;
    queue_.at(std::chrono::ceil<SimTime>(when - kMonoEpoch),
              [weak = std::weak_ptr(generation_), alive = alive_, mine, fn = std::move(fn)] {
                const auto generation = weak.lock();
                if (generation && *generation == mine && *alive) fn();
              });
  }
  void cancel() override { ++*generation_; }

 private:
  EventQueue& queue_;
  std::shared_ptr<const bool> alive_;  // false once the process is killed
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

}  // namespace

SimTransport::SimTransport(SimNetwork& network, Endpoint at, std::optional<double> download)
    : network_(network), queue_(network.events()), at_(std::move(at)), download_(download) {}

MonoTime SimTransport::mono_now() const { return kMonoEpoch + queue_.now(); }


std::unique_ptr<Timer> SimTransport::timer() { return std::make_unique<SimTimer>(queue_, alive_); }

void SimTransport::start_accepting() {
  if (at_.port != 0 && *alive_) network_.listen(at_, *this);
}

void SimTransport::stop_accepting() {
  if (at_.port != 0) network_.unlisten(at_);
}

void SimTransport::dial(const Endpoint& to) {
  if (*alive_) network_.dial(*this, to);
}

ConnId SimTransport::add_end(SimTransport& other, ConnId other_conn, SimTime latency) {
  const ConnId id(next_conn_++);
  ends_[id] = End{&other, other_conn, latency};
  return id;
}

void SimTransport::write(ConnId conn, const Frame& frame) {
  const auto it = ends_.find(conn);
  if (it == ends_.end()) return;
  const End end = it->second;
  queue_.after(end.latency, [end, frame] { end.other->arrive(end.other_conn, frame); });
  queue_.after(SimTime(0), [this, conn] {
    if (ends_.contains(conn)) node_->on_written(conn);
  });
}

void SimTransport::arrive(ConnId conn, const Frame& frame) {
  if (!download_ || *download_ <= 0) return receive(conn, frame);
  const auto through = std::chrono::duration_cast<SimTime>(
      std::chrono::duration<double>(static_cast<double>(frame.bytes) / *download_));
  // The frame crossed the downlink while its sender's uplink sent it: it is
  // late only when what came before it still fills the downlink.
  downlink_free_ = std::max(downlink_free_ + through, queue_.now());
  queue_.at(downlink_free_, [this, conn, frame] { receive(conn, frame); });
}

void SimTransport::receive(ConnId conn, const Frame& frame) {
  if (ends_.contains(conn)) node_->on_message(conn, *frame.msg, frame.bytes);
}

void SimTransport::close(ConnId conn) {
  if (ends_.contains(conn)) shut(conn);
}

void SimTransport::shut(ConnId conn) {
  const End end = ends_.at(conn);
  ends_.erase(conn);
  // Behind the data: through the other end's downlink too.
  queue_.after(end.latency, [end] {
    SimTransport& other = *end.other;
    other.queue_.at(std::max(other.downlink_free_, other.queue_.now()),
                    [&other, conn = end.other_conn] { other.remote_closed(conn); });
  });
}

void SimTransport::remote_closed(ConnId conn) {
  if (!ends_.erase(conn)) return;
  node_->on_closed(conn, "closed by remote");
}

void SimTransport::kill() {
  *alive_ = false;
  stop_accepting();
  while (!ends_.empty()) shut(ends_.begin()->first);
}

}  // namespace shoal::sim
