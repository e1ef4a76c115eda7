#pragma once
// AsioTimer: the Transport's Timer on a Boost.Asio steady_timer. A wait that
// already completed when the timer was re-armed, cancelled or destroyed can
// no longer be aborted by Asio, so each arming has a generation and a stale
// completion does nothing.
//
// Threading: the io_context's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "overlay/transport/transport.h"

namespace shoal {

class AsioTimer : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}

  void arm(MonoTime when, std::function<void()> fn) override {
    const uint64_t mine = ++*generation_;
    timer_.expires_at(when);
    timer_.async_wait([weak = std::weak_ptr(generation_), mine, fn = std::move(fn)](
                          boost::system::error_code ec) {
      const auto generation = weak.lock();
      if (!ec && generation && *generation == mine) fn();
    });
  }
  void cancel() override {
    ++*generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

}  // namespace shoal
