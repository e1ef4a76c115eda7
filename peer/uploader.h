#pragma once
// Uploader: a viewer's upload side. It takes its neighbours' requests into
// an UploadQueue, or turns them away at once (REJECT) so that the requester
// asks a less busy holder instead of queueing behind others: one from a
// neighbour it chokes, for a chunk it lacks, or one its uplink could not
// start within `max_wait` (the requester's wait, if shorter) or finish within
// the requester's wait: a request it takes is answered in time, so that a
// neighbour that takes requests and trickles them stands out (OffenderWatch).
// One that could no longer be through in time is REJECTed too. A chunk the
// source pushed to it (a seed), which nobody else can pass on yet, goes
// ahead of the others for its first `kSeedCopies` requests, which may wait
// as long as their requesters said. It measures what it uploads against its
// capacity, which follows the stream when the limit is relative
// (UploadCapacity), and says how loaded its uplink is. Sans IO.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "overlay/limits/upload_limit.h"
#include "overlay/wire/messages.h"
#include "peer/choker.h"
#include "peer/rate_meter.h"
#include "peer/stream_meter.h"
#include "peer/upload_queue.h"

namespace shoal {

struct UploaderConfig {
  std::chrono::milliseconds max_age{1500};  // a request is dropped after this
  int pipe = 1;                             // chunks handed to the uplink at once
  std::chrono::milliseconds max_wait{300};
  UploadLimit upload;
};

class Uploader {
 public:
  explicit Uploader(UploaderConfig config);

  // Whether a neighbour's request is queued; false: REJECT it now.
  // `unchoked`: we unchoke that neighbour; `held`: we hold the chunk.
  bool request(ConnId from, const RequestMsg& r, bool unchoked, bool held, double chunk_bytes,
               WallTime now);
  // bytes/s of the uplink taken by pushes down the stripe trees: requests,
  // and how loaded the uplink is, are judged on what is left.
  void reserve(double bytes_per_second) { reserved_ = bytes_per_second; }
  // The source pushed `seq` to us; seeds older than `window_base` are gone.
  void seeded(ChunkSeq seq, ChunkSeq window_base);
  // Whether a queued request was withdrawn (not one being sent).
  bool cancel(ConnId from, ChunkSeq seq) { return queue_.cancel(from, seq); }
  // The neighbour is gone or choked.
  void forget(ConnId conn) { queue_.forget(conn); }
  // Requests whose requesters stopped waiting for them, or would before
  // their answer is through: REJECT them.
  std::vector<QueuedRequest> drop_stale(WallTime now) {
    return queue_.drop_stale(now, request_capacity());
  }

  // The next request to serve, if the uplink has room: then sending() its
  // chunk, or sent() at once if it cannot be served after all.
  std::optional<QueuedRequest> next(WallTime now) { return queue_.pop(now); }
  // What it sends on request.
  void sending(size_t bytes, WallTime now) { uploaded_.add(bytes, now); }
  // What it pushes down the trees, a new child's catch-up too.
  void pushing(size_t bytes, WallTime now) { pushed_.add(bytes, now); }
  // A chunk handed to `to` has left through the uplink.
  void sent(ConnId to) { queue_.sent(to); }

  // Re-resolves a relative limit at `stream_rate`; true if the capacity changed.
  bool follow(std::optional<double> stream_rate) { return capacity_.follow(stream_rate); }
  // bytes/s; nullopt: no limit; 0: it uploads nothing (a free rider).
  std::optional<double> capacity() const { return capacity_.value(); }
  bool uploads() const { return !capacity() || *capacity() > 0; }
  UplinkLoad load(WallTime now);
  // bytes/s of requests it could still add, what it pushes counted, as it
  // tells its neighbours.
  uint64_t spare(WallTime now);

 private:
  std::optional<double> request_capacity() const;
  // Whether a request of `priority` whose requester waits `wait` could not
  // start in time.
  bool busy(std::optional<std::chrono::milliseconds> wait, Priority priority, double chunk_bytes,
            bool partial) const;

  UploaderConfig config_;
  UploadQueue queue_;
  UploadCapacity capacity_;
  RateMeter uploaded_{5};  // on request
  RateMeter pushed_{5};
  double reserved_ = 0;
  // Chunks the source pushed to us, and how many requests for each still go
  // ahead of the others.
  std::map<ChunkSeq, int> seeds_;
};

}  // namespace shoal
