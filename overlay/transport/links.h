#pragma once
// Links: a node's open connections as its runner keeps them, the same for a
// viewer and the source, in a process and in the simulation. For each it
// queues frames (SendQueue: control first, chunks through the node's
// Uplink), writes them one at a time through the Transport, counts Traffic,
// and closes it once what was queued has gone out. Accepted connections are
// held to per-address limits by an AcceptGuard: one over the caps is closed
// at once, one over its REQUEST budget gets ERROR and is closed.
//
// The runner forwards the transport's events here (accept, open, received,
// written, lost) and hears back through Handler: a CHUNK frame is out, a
// link is gone (however it ended, once, with its traffic).
//
// Threading: the transport's thread. Handler calls may come from inside
// send(), close() and the event calls; the handler may call back in.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "overlay/limits/accept_guard.h"
#include "overlay/transport/send_queue.h"
#include "overlay/transport/traffic.h"
#include "overlay/transport/transport.h"
#include "overlay/transport/uplink.h"

namespace shoal {

class Links {
 public:
  // What a link was, handed over when it is gone.
  struct Ended {
    Endpoint remote;
    bool accepted = false;
    Traffic traffic;
  };
  struct Handler {
    std::function<void(ConnId)> on_chunk_sent;
    std::function<void(ConnId, const std::string& reason, const Ended&)> on_closed;
  };

  // `what` names the node in log lines ("peer", "source").
  Links(Transport& transport, Uplink& uplink, std::string what, AddressLimitsConfig limits,
        Handler handler);
  Links(const Links&) = delete;
  Links& operator=(const Links&) = delete;

  // A connection the transport accepted: true if it may stay (it is then
  // open), else it is closed at once.
  bool accept(ConnId conn, const Endpoint& remote);
  // A connection this node dialled.
  void open(ConnId conn, const Endpoint& remote);

  // Queues `m` on an open link; nothing on one closing or gone.
  void send(ConnId conn, Message m);
  // Lets what is queued go out (chunks still wait for the uplink), then
  // shuts the link. Safe to call more than once.
  void close(ConnId conn, const std::string& reason);
  // As close(), but the chunk data queued is dropped, not sent: an offender
  // is not worth the uplink (what a flooder had asked for, sent on, held up
  // the pushes to every other neighbour for a second).
  void cut(ConnId conn, const std::string& reason);
  // BYE to every link, and closes them all.
  void close_all(const std::string& reason);

  // A frame arrived: counts it and says whether the node should take it
  // (false on a link closing or gone, or one just closed for its requests).
  bool received(ConnId conn, const Message& m, size_t bytes);
  void written(ConnId conn);
  // The transport lost the connection.
  void lost(ConnId conn, const std::string& reason);

  bool contains(ConnId conn) const { return links_.contains(conn); }
  const Endpoint& remote(ConnId conn) const { return links_.at(conn).remote; }
  // Traffic of every open link, by whether it was accepted.
  template <typename Fn>
  void for_each(Fn fn) const {
    for (const auto& [conn, link] : links_) fn(conn, link.accepted, link.traffic);
  }
  size_t size() const { return links_.size(); }
  uint64_t refused() const { return guard_.refused(); }

 private:
  struct Link {
    Endpoint remote;
    bool accepted = false;
    SendQueue queue;
    Traffic traffic;
    bool closing = false;
    std::string close_reason;
  };

  // Writes what may go, asks the uplink for the next chunk's tokens, or
  // shuts a flushed closing link.
  void pump(ConnId conn);
  void granted(ConnId conn);
  // `ours`: the node closed it (the transport is told); else it was lost.
  void shut(ConnId conn, const std::string& reason, bool ours);

  Transport& transport_;
  Uplink& uplink_;
  AcceptGuard guard_;
  Handler handler_;
  std::map<ConnId, Link> links_;
};

}  // namespace shoal
