#pragma once
// Transport: all a node's runner (PeerRunner, SourceRunner) needs of the
// world: accept and dial connections, write a frame, close, timers, the
// clocks, a log. The Asio transport (overlay/net/asio_transport.h) moves real
// bytes over TCP; the simulation's (sim/sim_transport.h) moves messages over
// simulated links. Everything above it (links, send queues, the uplink, the
// engines) is the same code in a real process and in the simulation.
//
// A transport serves one runner, which attaches itself before anything else
// and is told of every event through LinkEvents. Connection ids are given by
// the transport, in the order connections come up.
//
// Threading: one thread (the io_context's, or the simulation's). An event
// never runs inside the call that caused it: a dial's outcome, a write's
// completion and a timer come later, from the transport's loop.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "media/chunk.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"

namespace shoal {

// One frame to write: the message, shared (the simulation hands the same one
// to the other end), and its size on the wire, which is what is counted and
// charged to the uplink.
struct Frame {
  std::shared_ptr<const Message> msg;
  size_t bytes = 0;
  // Chunk data (a CHUNK or a PIECE): it waits for the uplink's tokens.
  bool is_chunk() const {
    return std::holds_alternative<ChunkMsg>(*msg) || std::holds_alternative<PieceMsg>(*msg);
  }
  // A piece but a repair's: its tokens come before a repair's or a CHUNK's.
  bool urgent() const {
    const auto* piece = std::get_if<PieceMsg>(msg.get());
    return piece && !piece->repair;
  }
  // A CHUNK, or the last PIECE sent for a request: with it that request is served.
  bool completes_chunk() const {
    const auto* piece = std::get_if<PieceMsg>(msg.get());
    return std::holds_alternative<ChunkMsg>(*msg) || (piece && piece->ends_request);
  }
};

class Timer {
 public:
  virtual ~Timer() = default;
  // Calls `fn` once at `when` (soon, if that has passed), replacing whatever
  // was armed. Never called after cancel(), re-arming or destruction.
  virtual void arm(MonoTime when, std::function<void()> fn) = 0;
  virtual void cancel() = 0;
};

// Why a dial failed. `local` when the fault lies on this host, not at the
// address dialled: mostly that address dialled this node from its listening
// port at the same moment, so the link between the two ports stands already
// (dials leave from the listening port, for NATs).
struct DialError {
  std::string why;
  bool local = false;
};

// What a transport tells its runner.
class LinkEvents {
 public:
  // A connection came in. `remote` is its address as seen here, the host in
  // the form per-address limits key it by.
  virtual void on_accepted(ConnId conn, const Endpoint& remote) = 0;
  // A dial to `to` connected, or failed.
  virtual void on_dialled(ConnId conn, const Endpoint& to) = 0;
  virtual void on_dial_failed(const Endpoint& to, const DialError& error) = 0;
  // A frame arrived whole: its message and its size on the wire.
  virtual void on_message(ConnId conn, const Message& m, size_t bytes) = 0;
  // The frame being written on `conn` is out; the next may be written.
  virtual void on_written(ConnId conn) = 0;
  // The connection is gone (closed by the remote, an error, a bad frame).
  // Not called for a connection the runner closed.
  virtual void on_closed(ConnId conn, const std::string& reason) = 0;

 protected:
  ~LinkEvents() = default;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Where every event goes; set once, first.
  virtual void attach(LinkEvents& events) = 0;
  // Connections to the node's own address come in as on_accepted until
  // stop_accepting(); a transport with no address accepts none.
  virtual void start_accepting() = 0;
  virtual void stop_accepting() = 0;
  // Starts a connection to `to`: on_dialled or on_dial_failed follows (a
  // dial that failed by timing out may yet come as on_dialled later).
  virtual void dial(const Endpoint& to) = 0;
  // Writes one frame on an open connection; on_written follows. One frame
  // at a time: the next only after on_written.
  virtual void write(ConnId conn, const Frame& frame) = 0;
  // Shuts the connection now; no event follows for it. The remote end sees
  // it close after whatever was written.
  virtual void close(ConnId conn) = 0;

  // The wall clock, whole milliseconds: the source's is the channel's clock.
  virtual WallTime wall_now() const = 0;
  // The monotonic clock, which timers and rates run on and a viewer reads
  // the channel's clock off.
  virtual MonoTime mono_now() const = 0;
  virtual std::unique_ptr<Timer> timer() = 0;
  // A line for the node's log (the simulation keeps quiet).
  virtual void log(std::string_view line) = 0;
};

}  // namespace shoal
