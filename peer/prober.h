#pragma once
// Prober: keeps asking a suspect neighbour until it answers or is found out.
//
// The Scheduler never asks a neighbour again for a chunk it let expire, and
// asks one that never answered for little (Candidate::proven); most chunks
// come down the stripe trees unasked. A neighbour that claims chunks it never
// sends (a liar) or trickles them (slow) would so be asked too seldom for
// OffenderWatch to find it out in time. A *suspect*, one that let a request
// expire and never answered one on this link, is probed instead: asked for
// one stripe at a time (the engine picks one of the newest chunk it claims
// that we lack, even one coming down a tree), each with `timeout` to come.
// An honest suspect answers, and is no longer one, or REJECTs; a probe costs
// it a stripe at most, and it is probed at most once per `timeout`. Probes are apart from the Scheduler's requests: a
// stripe that arrives from elsewhere first does not call a probe off.
// Sans IO.

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "media/chunk_head.h"
#include "overlay/wire/ids.h"
#include "peer/scheduler.h"

namespace shoal {

class Prober {
 public:
  explicit Prober(std::chrono::milliseconds timeout = std::chrono::milliseconds{1000})
      : timeout_(timeout) {}

  // Probes `conn` for `stripe` of `seq`: the request to send, unless a
  // probe of it is out already or went out within `timeout`.
  std::optional<ChunkRequest> probe(ConnId conn, ChunkSeq seq, uint32_t stripe, WallTime now);
  bool probing(ConnId conn, WallTime now) const;
  // Whether a probe of `conn` asks for one of `stripes` of `seq`.
  bool asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes) const;
  // `stripes` of `seq` came from `from`: its probe is answered if it asked them.
  void received(ChunkSeq seq, ConnId from, uint8_t stripes);
  // Piece `index` of the `count` of `seq`, a chunk held already, came from
  // `from`: true once its probe's stripe has all come, and it is answered.
  bool held_piece(ChunkSeq seq, ConnId from, uint32_t index, uint32_t count);
  // `from` will not serve `seq`: its probe of it is over.
  void rejected(ChunkSeq seq, ConnId from);
  // Probes that went unanswered; they are forgotten, to be cancelled.
  std::vector<ChunkRequest> expire(WallTime now);
  void forget(ConnId conn) {
    out_.erase(conn);
    last_.erase(conn);
  }
  std::optional<WallTime> next_expiry() const;

 private:
  struct Probe {
    ChunkSeq seq;
    uint32_t stripe;
    WallTime sent, expires;
    uint32_t held_pieces = 0;  // of its stripe, that came for a chunk held
  };

  std::chrono::milliseconds timeout_;
  std::map<ConnId, Probe> out_;
  std::map<ConnId, WallTime> last_;  // when each suspect was last probed
};

}  // namespace shoal
