#pragma once
// SendQueue: one connection's frames on their way out, in the order a node
// writes them. Control frames (every message but CHUNK) go first, in order,
// so a REQUEST, HAVE or CHOKE never waits behind chunk data; CHUNK frames go
// in order, each once the node's uplink has granted its tokens. One frame is
// written at a time. Pure bookkeeping: Links asks it what to do and does it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "overlay/transport/transport.h"

namespace shoal {

class SendQueue {
 public:
  using Ticket = uint64_t;  // an uplink wait; 0: none

  void push(Frame frame);

  // The frame to write now, if one may go: nothing while a write is under
  // way; else the first control frame, else the first chunk if granted. It
  // is then being written until written().
  std::optional<Frame> start_write();
  // The write under way is done; whether it completed a chunk (a CHUNK, or
  // a chunk's last PIECE).
  bool written();

  // The size of the first chunk if it should ask the uplink for tokens now
  // (it has none and is not waiting); the wait then goes to waiting().
  std::optional<size_t> wants_tokens() const;
  void waiting(Ticket ticket) { wait_ = ticket; }
  void granted() {
    wait_ = 0;
    granted_ = true;
  }

  // Nothing queued and nothing being written.
  bool idle() const { return !writing_ && control_.empty() && chunks_.empty(); }
  size_t queued_chunks() const { return chunks_.size(); }
  // Drops everything; returns the uplink wait to cancel (0: none).
  Ticket clear();

 private:
  std::deque<Frame> control_;
  std::deque<Frame> chunks_;
  bool writing_ = false;
  bool writing_chunk_ = false;
  bool granted_ = false;  // chunks_.front() has its tokens
  Ticket wait_ = 0;       // the uplink wait for chunks_.front()
};

}  // namespace shoal
