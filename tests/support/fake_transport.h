#pragma once
// FakeTransport: a Transport the test drives by hand, for unit tests of what
// runs over one (Uplink, Links, the runners) on a fake clock. It records what
// the node asks (dials, frames written, closes); the test plays the network:
// accepts and connects, delivers messages, completes writes, and advances
// the clock, which fires the timers due, in time order.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "overlay/transport/transport.h"

namespace shoal::testing {

class FakeTransport : public Transport {
 public:
  // Wall time at the start; the monotonic clock starts at one hour.
  explicit FakeTransport(WallTime wall_start = WallTime(std::chrono::hours(24 * 365 * 50)))
      : wall_start_(wall_start) {}

  // --- what the node did
  std::vector<Endpoint> dials;
  std::vector<std::pair<ConnId, Frame>> written;  // every frame, in order
  std::set<ConnId> closed;
  bool accepting = false;
  std::vector<std::string> log_lines;

  // --- playing the network
  LinkEvents& node() { return *node_; }
  ConnId accept(const Endpoint& remote) {
    const ConnId id(next_conn_++);
    node_->on_accepted(id, remote);
    return id;
  }
  ConnId connect(const Endpoint& to) {
    const ConnId id(next_conn_++);
    node_->on_dialled(id, to);
    return id;
  }
  // Completes every write under way, and those the node starts meanwhile.
  void finish_writes() {
    while (!in_flight_.empty()) {
      const ConnId conn = *in_flight_.begin();
      in_flight_.erase(in_flight_.begin());
      node_->on_written(conn);
    }
  }
  bool writing(ConnId conn) const { return in_flight_.contains(conn); }
  // Messages written on `conn` of type T, in order.
  template <typename T>
  std::vector<T> sent(ConnId conn) const {
    std::vector<T> out;
    for (const auto& [c, f] : written) {
      if (const auto* m = std::get_if<T>(f.msg.get()); m && c == conn) out.push_back(*m);
    }
    return out;
  }

  // --- the clock
  MonoTime mono_now() const override { return now_; }
  WallTime wall_now() const override {
    return wall_start_ + std::chrono::floor<std::chrono::milliseconds>(now_ - kMonoStart);
  }
  // Sets the wall clock forward (or back) by `d`, as an NTP step would; the
  // monotonic clock runs on.
  void step_wall_clock(std::chrono::milliseconds d) { wall_start_ += d; }
  // Moves the clock on by `d`, firing the timers due on the way.
  void advance(std::chrono::steady_clock::duration d) {
    const MonoTime end = now_ + d;
    while (true) {
      auto due = std::ranges::min_element(timers_, {}, [](const auto& t) { return t->when; });
      if (due == timers_.end() || (*due)->when > end) break;
      auto fn = std::move((*due)->fn);
      now_ = std::max(now_, (*due)->when);
      timers_.erase(due);
      fn();
    }
    now_ = end;
  }
  size_t armed_timers() const { return timers_.size(); }

  // --- Transport
  void attach(LinkEvents& node) override { node_ = &node; }
  void start_accepting() override { accepting = true; }
  void stop_accepting() override { accepting = false; }
  void dial(const Endpoint& to) override { dials.push_back(to); }
  void write(ConnId conn, const Frame& frame) override {
    EXPECT_FALSE(in_flight_.contains(conn)) << "two writes at once on one connection";
    written.push_back({conn, frame});
    in_flight_.insert(conn);
  }
  void close(ConnId conn) override {
    closed.insert(conn);
    in_flight_.erase(conn);
  }
  std::unique_ptr<Timer> timer() override { return std::make_unique<FakeTimer>(*this); }
  void log(std::string_view line) override { log_lines.emplace_back(line); }

 private:
  static constexpr MonoTime kMonoStart{std::chrono::hours(1)};

  struct Armed {
    const void* owner;
    MonoTime when;
    std::function<void()> fn;
  };
  class FakeTimer : public Timer {
   public:
    explicit FakeTimer(FakeTransport& t) : t_(t) {}
    ~FakeTimer() override { cancel(); }
    void arm(MonoTime when, std::function<void()> fn) override {
      cancel();
      t_.timers_.push_back(std::make_unique<Armed>(Armed{this, when, std::move(fn)}));
    }
    void cancel() override {
      std::erase_if(t_.timers_, [this](const auto& a) { return a->owner == this; });
    }

   private:
    FakeTransport& t_;
  };

  WallTime wall_start_;
  MonoTime now_ = kMonoStart;
  LinkEvents* node_ = nullptr;
  std::set<ConnId> in_flight_;
  std::vector<std::unique_ptr<Armed>> timers_;
  uint64_t next_conn_ = 1;
};

}  // namespace shoal::testing
