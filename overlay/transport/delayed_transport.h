#pragma once
// DelayedTransport: a Transport over another that hands every event from the
// network to its runner `delay` later, in the order they came: an emulated
// distance for real processes on one machine, whose kernel may lack netem.
// A node that delays what it receives makes every link into it `delay` long
// one way, so a swarm of such nodes has that latency on every link. A
// connection costs it too (on_accepted, on_dialled and a failed dial come
// `delay` late), and a close comes behind the data. What the node does goes
// straight through, as do on_written (the local end of a write), the clocks,
// timers and the log. A zero delay hands every event on at once; any other
// is said in the log, so a run's logs show the distance it emulated.
//
// Threading and lifetime: the inner transport's; `inner` outlives it.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "overlay/transport/transport.h"

namespace shoal {

class DelayedTransport : public Transport, private LinkEvents {
 public:
  DelayedTransport(Transport& inner, std::chrono::milliseconds delay);
  DelayedTransport(const DelayedTransport&) = delete;
  DelayedTransport& operator=(const DelayedTransport&) = delete;

  void attach(LinkEvents& events) override { events_ = &events; }
  void start_accepting() override { inner_.start_accepting(); }
  void stop_accepting() override { inner_.stop_accepting(); }
  void dial(const Endpoint& to) override { inner_.dial(to); }
  void write(ConnId conn, const Frame& frame) override { inner_.write(conn, frame); }
  // Events still on their way for `conn` are dropped: none follows a close.
  void close(ConnId conn) override;
  WallTime wall_now() const override { return inner_.wall_now(); }
  MonoTime mono_now() const override { return inner_.mono_now(); }
  std::unique_ptr<Timer> timer() override { return inner_.timer(); }
  void log(std::string_view line) override { inner_.log(line); }

 private:
  // LinkEvents, from the inner transport.
  void on_accepted(ConnId conn, const Endpoint& remote) override;
  void on_dialled(ConnId conn, const Endpoint& to) override;
  void on_dial_failed(const Endpoint& to, const DialError& error) override;
  void on_message(ConnId conn, const Message& m, size_t bytes) override;
  void on_written(ConnId conn) override { events_->on_written(conn); }
  void on_closed(ConnId conn, const std::string& reason) override;

  struct Pending {
    MonoTime due;
    std::optional<ConnId> conn;  // none for a failed dial
    std::function<void(LinkEvents&)> deliver;
  };
  void later(std::optional<ConnId> conn, std::function<void(LinkEvents&)> deliver);
  void deliver_due();

  Transport& inner_;
  std::chrono::milliseconds delay_;
  LinkEvents* events_ = nullptr;
  std::deque<Pending> pending_;  // in due order: every event waits the same
  std::unique_ptr<Timer> timer_;
};

}  // namespace shoal
