#include "overlay/transport/links.h"

#include "overlay/wire/codec.h"

namespace shoal {

Links::Links(Transport& transport, Uplink& uplink, std::string what, AddressLimitsConfig limits,
             Handler handler)
    : transport_(transport),
      uplink_(uplink),
      guard_(std::move(what), limits, [&transport](std::string_view line) { transport.log(line); }),
      handler_(std::move(handler)) {}

bool Links::accept(ConnId conn, const Endpoint& remote) {
  if (!guard_.admit(remote.host, transport_.mono_now())) {
    transport_.close(conn);
    return false;
  }
  links_[conn] = Link{.remote = remote, .accepted = true};
  return true;
}

void Links::open(ConnId conn, const Endpoint& remote) { links_[conn] = Link{.remote = remote}; }

void Links::send(ConnId conn, Message m) {
  const auto it = links_.find(conn);
  if (it == links_.end() || it->second.closing) return;
  Frame frame{std::make_shared<const Message>(std::move(m)), 0};
  frame.bytes = frame_size(*frame.msg);
  Traffic& t = it->second.traffic;
  (frame.is_chunk() ? t.chunk_out : t.control_out) += frame.bytes;
  if (const auto cancelled = it->second.queue.push(std::move(frame))) uplink_.cancel(cancelled);
  pump(conn);
}

void Links::close(ConnId conn, const std::string& reason) {
  const auto it = links_.find(conn);
  if (it == links_.end() || it->second.closing) return;
  it->second.closing = true;
  it->second.close_reason = reason;
  pump(conn);
}

void Links::cut(ConnId conn, const std::string& reason) {
  const auto it = links_.find(conn);
  if (it == links_.end()) return;
  if (const auto wait = it->second.queue.drop_chunks()) uplink_.cancel(wait);
  if (!it->second.closing) return close(conn, reason);
  pump(conn);
}

void Links::close_all(const std::string& reason) {
  std::vector<ConnId> conns;
  for (const auto& [conn, link] : links_) conns.push_back(conn);
  for (ConnId conn : conns) {
    send(conn, ByeMsg{reason});
    close(conn, reason);
  }
}

bool Links::received(ConnId conn, const Message& m, size_t bytes) {
  const auto it = links_.find(conn);
  if (it == links_.end() || it->second.closing) return false;
  Link& link = it->second;
  const bool request = std::holds_alternative<RequestMsg>(m);
  if (link.accepted && request && !guard_.allow_request(link.remote.host, transport_.mono_now())) {
    const std::string why = "too many requests from " + link.remote.host;
    transport_.log("dropping " + link.remote.to_string() + ": " + why);
    send(conn, ErrorMsg{why});
    close(conn, why);
    return false;
  }
  const bool data = std::holds_alternative<ChunkMsg>(m) || std::holds_alternative<PieceMsg>(m);
  (data ? link.traffic.chunk_in : link.traffic.control_in) += bytes;
  return true;
}

void Links::written(ConnId conn) {
  const auto it = links_.find(conn);
  if (it == links_.end()) return;
  // Before pump() shuts a flushed closing link; the handler may send or close.
  if (it->second.queue.written() && handler_.on_chunk_sent) handler_.on_chunk_sent(conn);
  if (links_.contains(conn)) pump(conn);
}

void Links::lost(ConnId conn, const std::string& reason) {
  if (links_.contains(conn)) shut(conn, reason, false);
}

void Links::pump(ConnId conn) {
  Link& link = links_.at(conn);
  if (auto frame = link.queue.start_write()) {
    if (!frame->is_chunk()) uplink_.charge(frame->bytes);
    transport_.write(conn, *frame);
  } else if (link.closing && link.queue.idle()) {
    return shut(conn, link.close_reason, true);
  }
  // The next chunk waits for its tokens while this write is under way.
  if (const auto ask = link.queue.wants_tokens())
    link.queue.waiting(uplink_.acquire(ask->bytes, [this, conn] { granted(conn); }, ask->urgent));
}

void Links::granted(ConnId conn) {
  const auto it = links_.find(conn);
  if (it == links_.end()) return;
  it->second.queue.granted();
  pump(conn);
}

void Links::shut(ConnId conn, const std::string& reason, bool ours) {
  const auto it = links_.find(conn);
  Link& link = it->second;
  if (const auto wait = link.queue.clear()) uplink_.cancel(wait);
  if (ours) transport_.close(conn);
  if (link.accepted) guard_.release(link.remote.host);
  const Ended ended{link.remote, link.accepted, link.traffic};
  const std::string why = link.close_reason.empty() ? reason : link.close_reason;
  links_.erase(it);
  if (handler_.on_closed) handler_.on_closed(conn, why, ended);
}

}  // namespace shoal
