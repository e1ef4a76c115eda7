#pragma once
// PeerEngine: the viewer's protocol logic, sans IO. It is fed connection
// events, decoded messages and the current time, and returns the actions to
// carry out (send, disconnect, play). It owns the chunk store, the playout
// and the scheduler, and checks every chunk's signature before storing it: a
// bad chunk is dropped, counted, and its sender disconnected and banned.
//
// Time is wall-clock (WallTime) because deadlines derive from the source's
// capture times. After every call the runner re-arms one timer at
// next_wakeup() and calls tick() then.

#include <chrono>
#include <map>
#include <random>
#include <vector>

#include "overlay/ids.h"
#include "overlay/messages.h"
#include "peer/actions.h"
#include "peer/buffer_map.h"
#include "peer/chunk_store.h"
#include "peer/playout.h"
#include "peer/scheduler.h"

namespace shoal {

struct PeerConfig {
  ChannelId channel{};
  PeerId self;
  uint16_t listen_port = 0;
  std::chrono::milliseconds lag{1500};  // play time - capture time
  uint32_t window_chunks = 120;         // 60 s of 500 ms chunks
  SchedulerConfig scheduler;
  std::chrono::milliseconds have_interval{200};         // HAVEs are batched this long
  std::chrono::milliseconds buffer_map_interval{5000};  // full map refresh
};

struct PlaybackStats {
  uint64_t chunks_due = 0;
  uint64_t chunks_on_time = 0;
  uint64_t chunks_rejected = 0;
  std::vector<ChunkSeq> played;  // in play order
  std::vector<int64_t> lag_ms;   // play time - capture time, per chunk played
};

class PeerEngine {
 public:
  explicit PeerEngine(PeerConfig config);
  PeerEngine(const PeerEngine&) = delete;
  PeerEngine& operator=(const PeerEngine&) = delete;

  // A connection is up (dialled or accepted); `is_source` if it is the source.
  Actions on_connected(ConnId conn, bool is_source, WallTime now);
  Actions on_message(ConnId from, const Message& msg, WallTime now);
  Actions on_disconnected(ConnId conn, WallTime now);
  Actions tick(WallTime now);

  // When tick() next has work to do.
  WallTime next_wakeup(WallTime now) const;

  const PlaybackStats& stats() const { return stats_; }
  const ChunkStore& store() const { return store_; }
  const Playout& playout() const { return playout_; }

 private:
  struct Neighbour {
    bool is_source = false;
    bool greeted = false;  // its HELLO arrived and matched our channel
    BufferMap map;
    WallTime last_map_sent;
  };

  void on_hello(ConnId from, Neighbour& n, const Hello& m);
  void on_chunk(ConnId from, const Chunk& chunk);
  void send_buffer_map(ConnId to, Neighbour& n, WallTime now);
  void choose_start();
  void play_due(WallTime now);
  void request_missing(WallTime now);
  void flush_haves();
  void drop(ConnId conn, std::string reason, bool ban);
  Actions take();

  PeerConfig config_;
  ChunkStore store_;
  Playout playout_;
  Scheduler scheduler_;
  std::map<ConnId, Neighbour> neighbours_;
  HaveMsg pending_haves_;
  WallTime last_have_flush_;
  PlaybackStats stats_;
  Actions out_;
};

}  // namespace shoal
