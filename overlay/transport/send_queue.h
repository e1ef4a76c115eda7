#pragma once
// SendQueue: one connection's frames on their way out, in the order a node
// writes them. Control frames go first, in order, so a REQUEST, HAVE or
// CHOKE never waits behind chunk data; then pieces pushed down the trees
// (urgent), then requested data, each in order and each once the node's
// uplink has granted its tokens. One frame is written at a time. Pure
// bookkeeping: Links asks it what to do and does it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "overlay/transport/transport.h"

namespace shoal {

class SendQueue {
 public:
  using Ticket = uint64_t;  // an uplink wait; 0: none

  // Returns an uplink wait to cancel (0: none): an urgent frame came while
  // requested data waited for tokens, and asks for them first.
  Ticket push(Frame frame);

  // The frame to write now, if one may go: nothing while a write is under
  // way; else the first control frame, else the first chunk if granted. It
  // is then being written until written().
  std::optional<Frame> start_write();
  // The write under way is done; whether it completed a chunk (a CHUNK, or
  // a chunk's last PIECE).
  bool written();

  // The next data frame if it should ask the uplink for tokens now (it has
  // none and is not waiting); the wait then goes to waiting().
  struct TokenAsk {
    size_t bytes;
    bool urgent;
  };
  std::optional<TokenAsk> wants_tokens() const;
  void waiting(Ticket ticket) {
    wait_ = ticket;
    wait_urgent_ = !urgent_.empty();
  }
  void granted() {
    wait_ = 0;
    granted_ = urgent_.empty() ? Lane::data : Lane::urgent;
  }

  // Nothing queued and nothing being written.
  bool idle() const { return !writing_ && control_.empty() && urgent_.empty() && data_.empty(); }
  size_t queued_chunks() const { return urgent_.size() + data_.size(); }
  // Drops everything; returns the uplink wait to cancel (0: none).
  Ticket clear();
  // Drops the chunk data not yet being written; the same return.
  Ticket drop_chunks();

 private:
  enum class Lane { none, urgent, data };

  std::deque<Frame> control_;
  std::deque<Frame> urgent_;
  std::deque<Frame> data_;
  bool writing_ = false;
  bool writing_chunk_ = false;
  Lane granted_ = Lane::none;  // the lane whose front has its tokens
  Ticket wait_ = 0;             // the uplink wait for a lane's front
  bool wait_urgent_ = false;    // ... for the urgent lane's
};

}  // namespace shoal
