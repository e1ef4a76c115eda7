#include "overlay/transport/delayed_transport.h"

#include <algorithm>

namespace shoal {

DelayedTransport::DelayedTransport(Transport& inner, std::chrono::milliseconds delay)
    : inner_(inner), delay_(delay), timer_(inner.timer()) {
  inner_.attach(*this);
  if (delay_.count() > 0) {
    inner_.log("emulating " + std::to_string(delay_.count()) +
               " ms of latency on everything received");
  }
}

void DelayedTransport::close(ConnId conn) {
  std::erase_if(pending_, [conn](const Pending& p) { return p.conn == conn; });
  inner_.close(conn);
}

void DelayedTransport::on_accepted(ConnId conn, const Endpoint& remote) {
  later(conn, [conn, remote](LinkEvents& e) { e.on_accepted(conn, remote); });
}

void DelayedTransport::on_dialled(ConnId conn, const Endpoint& to) {
  later(conn, [conn, to](LinkEvents& e) { e.on_dialled(conn, to); });
}

void DelayedTransport::on_dial_failed(const Endpoint& to, const DialError& error) {
  later(std::nullopt, [to, error](LinkEvents& e) { e.on_dial_failed(to, error); });
}

void DelayedTransport::on_message(ConnId conn, const Message& m, size_t bytes) {
  later(conn, [conn, m, bytes](LinkEvents& e) { e.on_message(conn, m, bytes); });
}

void DelayedTransport::on_closed(ConnId conn, const std::string& reason) {
  later(conn, [conn, reason](LinkEvents& e) { e.on_closed(conn, reason); });
}

void DelayedTransport::later(std::optional<ConnId> conn,
                             std::function<void(LinkEvents&)> deliver) {
  if (delay_.count() == 0 && pending_.empty()) return deliver(*events_);
  pending_.push_back(Pending{inner_.mono_now() + delay_, conn, std::move(deliver)});
  if (pending_.size() == 1) timer_->arm(pending_.front().due, [this] { deliver_due(); });
}

void DelayedTransport::deliver_due() {
  const MonoTime now = inner_.mono_now();
  // One at a time from the front: a delivery may close a connection, which
  // takes its events out of the queue.
  while (!pending_.empty() && pending_.front().due <= now) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    p.deliver(*events_);
  }
  if (!pending_.empty()) timer_->arm(pending_.front().due, [this] { deliver_due(); });
}

}  // namespace shoal
