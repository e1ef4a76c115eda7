#pragma once
// Scheduler: which missing chunk to request from which neighbour.
//
// Chunks are requested in play order (earliest deadline first) from a
// neighbour that holds them, with at most `max_in_flight` requests pipelined
// per neighbour. Peers are preferred and the source is asked only when no
// peer holds the chunk. A request unanswered after `request_timeout` expires
// and the chunk becomes eligible again, from any neighbour.

#include <chrono>
#include <map>
#include <span>
#include <vector>

#include "overlay/ids.h"
#include "peer/buffer_map.h"
#include "peer/chunk_store.h"

namespace shoal {

struct SchedulerConfig {
  int max_in_flight = 8;
  std::chrono::milliseconds request_timeout{2000};
};

// What the scheduler needs to know of one neighbour.
struct Candidate {
  ConnId conn;
  bool is_source = false;
  const BufferMap* map = nullptr;
};

struct ChunkRequest {
  ConnId conn;
  ChunkSeq seq;
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig config) : config_(config) {}

  // Requests to send now for the chunks in [from, to] that `store` lacks. The
  // returned requests count as in flight from `now`.
  std::vector<ChunkRequest> plan(WallTime now, ChunkSeq from, ChunkSeq to, const ChunkStore& store,
                                 std::span<const Candidate> neighbours);

  // The chunk arrived (from anyone); returns where it was outstanding, if anywhere.
  std::optional<ConnId> received(ChunkSeq seq);
  // Requests older than the timeout; they are forgotten, so the caller should
  // cancel them.
  std::vector<ChunkRequest> expire(WallTime now);
  // The neighbour is gone; its outstanding requests are forgotten.
  void forget(ConnId conn);

  size_t in_flight() const { return in_flight_.size(); }
  std::optional<WallTime> next_expiry() const;

 private:
  struct Outstanding {
    ConnId conn;
    WallTime sent;
  };

  SchedulerConfig config_;
  std::map<ChunkSeq, Outstanding> in_flight_;
};

}  // namespace shoal
