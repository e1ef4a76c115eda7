#pragma once
// UploadQueue: chunk requests waiting for upload capacity, served first come,
// first served across neighbours (seed requests first), and the count of
// chunks in the uplink.
//
// A node hands the next request to its link only while fewer than `pipe`
// chunks are in it (handed out, not yet sent), so a slow uplink holds
// requests here, where a CANCEL or a choke can still withdraw them, rather
// than in a socket buffer. A request is dropped when it comes up after its
// requester stopped waiting (the wait its REQUEST said, at most `max_age`):
// a chunk that arrives after that is worth nothing. Sans IO.

#include <chrono>
#include <deque>
#include <vector>
#include <map>
#include <optional>

#include "media/chunk.h"
#include "overlay/wire/ids.h"

namespace shoal {

// Where a request joins the queue.
enum class Priority {
  common,  // behind every request queued before it
  seed,    // ahead of every common one: a chunk nobody else can pass on yet
};

struct QueuedRequest {
  ConnId from;
  ChunkSeq seq;
  WallTime give_up;  // its requester no longer waits for it after this
  Priority priority = Priority::common;
  uint8_t stripes = 0;  // as in its REQUEST: 0, the whole chunk
  double bytes = 0;     // what answering it sends, about; 0: not known
};

class UploadQueue {
 public:
  UploadQueue(std::chrono::milliseconds max_age, int pipe) : max_age_(max_age), pipe_(pipe) {}

  // `wait`: how long the requester waits, if it said (at most max_age).
  void push(ConnId from, ChunkSeq seq, WallTime now,
            std::optional<std::chrono::milliseconds> wait = std::nullopt,
            Priority priority = Priority::common, uint8_t stripes = 0, double bytes = 0);
  // Withdraws `from`'s queued request for `seq`; whether there was one.
  bool cancel(ConnId from, ChunkSeq seq);
  // Takes out the requests whose requesters stopped waiting, or would before
  // their answer could be through an uplink of `bytes_per_second` even if it
  // started now: to be REJECTed, so that a requester hears an answer to
  // every request it made, and in time to ask someone else.
  std::vector<QueuedRequest> drop_stale(WallTime now,
                                        std::optional<double> bytes_per_second = std::nullopt);
  // The neighbour is gone or choked: its requests go, and its chunks in the
  // link no longer count.
  void forget(ConnId from);

  // The oldest request still worth serving, if the link has room; it is
  // removed and its chunk counts as in the link until sent().
  std::optional<QueuedRequest> pop(WallTime now);
  // A chunk sent unasked (the source's push) is in the link too.
  void pushed(ConnId to) { ++in_link_[to]; }
  // A chunk handed to `to` has left through the link.
  void sent(ConnId to);

  size_t waiting() const { return queue_.size(); }
  int in_link() const;
  // Whether a request of `priority` pushed now would wait longer than
  // `limit` before its chunk goes out, on an uplink of `bytes_per_second`
  // with chunks of about `chunk_bytes`. Never on an unlimited uplink (nullopt
  // or 0) or before the chunk size is known (0).
  bool would_wait(std::chrono::milliseconds limit, double chunk_bytes,
                  std::optional<double> bytes_per_second,
                  Priority priority = Priority::common) const;

 private:
  std::chrono::milliseconds max_age_;
  int pipe_;
  std::deque<QueuedRequest> queue_;
  std::map<ConnId, int> in_link_;
};

}  // namespace shoal
