#pragma once
// Scheduler: which missing chunk to request from which neighbour.
//
// The unit it asks for is a stripe of a chunk (media/chunk_head.h): each
// stripe it lacks goes to the holder expected to deliver it soonest, so a
// chunk is fetched from several holders at once, each sending a quarter of it
// from what its uplink has left beside the trees' pushes. The stripes asked
// of one holder go as one request.
//
// Chunks whose deadline is within `urgent_window` are urgent: earliest
// deadline first, each from the peer expected to deliver soonest (its
// measured answer time times the requests it already has queued). Beyond the
// urgent window chunks are fetched rarest first (fewest holders among the
// neighbours, random tie-break), from the least busy holder. Requests are
// pipelined, at most `max_in_flight` per peer (fewer before it first
// answered: Candidate::proven). The source is asked only for
// a chunk due within `source_window` that no peer can deliver in time.
//
// A peer request not answered after `request_timeout`, or by `rescue_margin`
// before its chunk is due, expires, as does one REJECTed: the chunk is asked
// again from someone else (the source, if nobody else has it in time); from
// the same peer never after a timeout, and after a while after a REJECT (its
// uplink was busy); the source, after a REJECT, for nothing for that while.
// Sans IO.

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "media/chunk_head.h"
#include "overlay/wire/ids.h"
#include "peer/buffer_map.h"

namespace shoal {

struct SchedulerConfig {
  int max_in_flight = 3;  // per peer, in whole chunks' worth of stripes
  int unproven_in_flight = 4;  // stripes: one chunk
  std::chrono::milliseconds unproven_timeout{500};
  int max_in_flight_source = 8;
  // Stripes from a peer's uplink, behind its pushes, come within this or
  // are better asked of another holder.
  std::chrono::milliseconds request_timeout{1000};
  std::chrono::milliseconds urgent_window{1500};
  std::chrono::milliseconds source_window{1000};
  std::chrono::milliseconds rescue_margin{250};
  // A neighbour that REJECTed a chunk (busy) may be asked for it again after this.
  std::chrono::milliseconds retry_after_reject{250};
  std::chrono::milliseconds initial_answer_time{300};  // before a peer has answered anything
};

// What the scheduler needs to know of one neighbour we may ask.
struct Candidate {
  ConnId conn;
  bool is_source = false;
  const BufferMap* map = nullptr;
  // It answered one of our requests on this link: until then it may hold
  // only `unproven_in_flight` stripes, so that a neighbour that claims
  // chunks it does not send (or trickles them) wastes few requests.
  bool proven = true;
  // It let a request of ours expire and never answered one, or let one
  // expire lately (OffenderWatch::failed_us): it is asked for no urgent
  // chunk, which it would most likely fail too.
  bool failed_us = false;
};

// A chunk we lack, in play order, and its stripes nobody has been asked for.
struct WantedChunk {
  ChunkSeq seq;
  std::optional<WallTime> deadline;  // unknown before the first chunk: urgent
  uint8_t stripes = kAllStripes;
};

struct ChunkRequest {
  ConnId conn;
  ChunkSeq seq;
  WallTime expires{};  // when it is given up on, unless answered
  uint8_t stripes = kAllStripes;
  WallTime sent{};  // of an expired one: when it was asked
};

class Scheduler {
 public:
  Scheduler(SchedulerConfig config, uint64_t seed) : config_(config), rng_(seed) {}

  // Requests to send now; they count as in flight from `now`.
  std::vector<ChunkRequest> plan(WallTime now, std::span<const WantedChunk> wanted,
                                 std::span<const Candidate> neighbours);

  // The `stripes` of `seq` are complete, the last piece from `from`. Returns
  // the other neighbours they were outstanding at, whose requests for `seq`
  // should be CANCELled (and are forgotten, all of their stripes).
  std::vector<ConnId> received(ChunkSeq seq, ConnId from, WallTime now,
                               uint8_t stripes = kAllStripes);
  // `from` will not serve `seq`: it is asked of someone else. Whether the
  // REJECT came late, past half the wait we asked for.
  bool rejected(ChunkSeq seq, ConnId from, WallTime now);
  // Requests given up on; they are forgotten, so the caller should cancel them.
  std::vector<ChunkRequest> expire(WallTime now);
  // The neighbour is gone or choked us; its outstanding requests are forgotten.
  void forget(ConnId conn);
  // Chunks before `cursor` are played or skipped: who failed them is forgotten.
  // (Not the first chunk wanted: one all in flight is not wanted, and those
  // who REJECTed it would be asked again at once.)
  void played_to(ChunkSeq cursor) { failed_.erase(failed_.begin(), failed_.lower_bound(cursor)); }

  bool in_flight(ChunkSeq seq) const { return in_flight_stripes(seq) != 0; }
  // Whether some stripe of `seq` (of `stripes`) is asked of `conn` now.
  bool asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes = kAllStripes) const;
  // The stripes of `seq` asked of someone.
  uint8_t in_flight_stripes(ChunkSeq seq) const;
  // Stripes asked for, in all.
  size_t in_flight() const { return in_flight_.size(); }
  std::optional<WallTime> next_expiry() const;
  // How long the neighbour takes to answer one request, as measured.
  std::chrono::milliseconds answer_time(ConnId conn) const;

 private:
  struct Outstanding {
    ConnId conn;
    bool source = false;
    WallTime sent;
    WallTime expires;
  };

  using Part = std::pair<ChunkSeq, uint32_t>;  // a chunk's stripe

  void issue(std::vector<ChunkRequest>& out, const WantedChunk& w, uint32_t stripe,
             const Candidate& to, WallTime now);
  // Forgets `conn`'s stripes of `seq`.
  void drop(ChunkSeq seq, ConnId conn);

  SchedulerConfig config_;
  std::mt19937_64 rng_;
  std::map<Part, Outstanding> in_flight_;
  std::unordered_map<ConnId, std::chrono::milliseconds> answer_time_;
  // Who may not be asked for a chunk again before when: a peer that let a
  // request expire, never (the source, whose queue drops stale requests, may
  // be asked again); one that REJECTed it, after `retry_after_reject`.
  std::map<ChunkSeq, std::map<ConnId, WallTime>> failed_;
  std::unordered_map<ConnId, int> load_;  // stripes in flight per neighbour
  // A REJECT from the source says its uplink is busy, not only for that
  // chunk: asking it for the next at once, and the next, would make a storm
  // of requests the source cuts off (kSourceAddressLimits).
  WallTime source_rested_until_{};
};

}  // namespace shoal
