#pragma once
// OffenderWatch: what an honest viewer counts of each neighbour to find out
// the ones that misbehave in ways no single message shows (peer/offence.h).
// Forged chunks and malformed messages the engine sees at once; these take
// a pattern:
//
// - liar: `silent_expiries` of our requests to it expired and nothing came
//   from it for them, no byte and no REJECT, within `silence_grace` after,
//   and it never answered one on this link; if the link closes first, a
//   request that expired `closing_grace` before counts. An honest neighbour
//   answers every request, with data or a REJECT (one it could not serve in
//   time is REJECTed as its requester stops waiting: Uploader::drop_stale).
// - liar, slow: `unanswered` of our requests to it expired and it never
//   answered one on this link: slow if it sent some of what we asked for,
//   else a liar. A loaded honest neighbour lets one expire now and then
//   (in simulations of 50 and 300 viewers with 10-150 ms links, up to 5
//   before its first answer), but answers others.
// - slow: a request it took ran out unfinished (or came from elsewhere
//   first), and `slow_tail` or more pieces of it came after, at under a
//   `slow_pace`th of the stream's rate; or `slow_trickles` such requests
//   within `slow_window` with fewer pieces after. "At under": what came
//   after its first late piece, over the time since that piece (which may
//   have been on its way, or held up by a burst of pushes). All while it
//   said it had room for the whole
//   stream on its uplink. An honest uploader takes only what it can send
//   within the requester's wait (Uploader) and sends a request's pieces
//   back to back behind its pushes; one whose pushes fill its uplink may be
//   slower, but says it has no room. Two late pieces are not enough: a
//   burst of pushes (a new child's catch-up) may hold an honest one up for a
//   second or two, and its last word on its room may be seconds old. One
//   trickled request makes it a suspect, probed (peer/prober.h) for
//   `slow_window`.
// - flood: more than `max_requests_per_second` REQUESTs within a second;
//   a viewer asks a neighbour for at most a few chunks' stripes at once.
// - sybil: `unreachable_ports` ports on its host could not be dialled, and
//   more than could. The tracker pairs the port a viewer announces with the
//   address it sees the announce come from, so a viewer can announce false
//   addresses only on its own host; a viewer that left makes one
//   unreachable port, not three, and behind a NAT shared with others that
//   answer, those who left do not outnumber them.
//
// It also notes when each neighbour first showed a sign of the offence it
// is then dropped for, for the stats. Sans IO; the engine calls it.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "peer/offence.h"

namespace shoal {

struct OffenderWatchConfig {
  int unanswered = 20;
  int silent_expiries = 3;
  std::chrono::milliseconds silence_grace{1500};
  // An honest neighbour REJECTs a request as our CANCEL reaches it.
  std::chrono::milliseconds closing_grace{500};
  int slow_pace = 12;
  int slow_trickles = 2;
  int slow_tail = 3;
  std::chrono::milliseconds slow_window{10000};
  int max_requests_per_second = 100;
  size_t unreachable_ports = 3;
  size_t max_hosts = 1024;  // hosts with unreachable ports remembered, at most
};

class OffenderWatch {
 public:
  explicit OffenderWatch(OffenderWatchConfig config = {}) : config_(config) {}

  // Our request to `conn` for `stripes` of `seq`, made at `sent`, expired
  // unanswered: its offence, once proven.
  std::optional<Offence> expired(ConnId conn, ChunkSeq seq, uint8_t stripes, WallTime sent,
                                 WallTime now);
  // Neighbours proven liars by their silence now (see above); each once.
  std::vector<ConnId> judge(WallTime now);
  // The link to `conn` is closing, so its silence cannot be waited on: its
  // requests that expired `closing_grace` or more ago, with no word since
  // they were made, are judged now. True if that proves it a liar (once).
  bool closing(ConnId conn, WallTime now);
  // We stopped waiting for `stripes` of `seq` from `conn` (it came from
  // elsewhere), perhaps after it began to send them.
  void stopped_waiting(ConnId conn, ChunkSeq seq, uint8_t stripes, WallTime now);
  // `conn` sent chunk data (even too late to use).
  void sent_data(ConnId conn, WallTime now);
  // `conn` sent some of a stripe or chunk we asked it for.
  void sent_asked(ConnId conn) { records_[conn].sent_asked = true; }
  // `conn` REJECTed a request.
  void rejected(ConnId conn, WallTime now) {
    Record& r = records_[conn];
    r.last_word = r.last_reject = now;
  }
  // `conn` kept a request of ours most of its wait and then REJECTed it:
  // as costly as one it let expire, for failed_us().
  void failed(ConnId conn, WallTime now) { records_[conn].last_failure = now; }
  // `conn`, not our tree parent for it, sent `bytes` of `stripe` of `seq`;
  // the stream runs at `stream_rate` bytes/s, and `conn` last said it could
  // add `spare` bytes/s to its uplink. Slow, once proven.
  std::optional<Offence> piece(ConnId conn, ChunkSeq seq, uint32_t stripe, size_t bytes,
                               std::optional<double> stream_rate, uint64_t spare, WallTime now);
  // One of our requests was answered by `conn`.
  void answered(ConnId conn);
  bool has_answered(ConnId conn) const {
    const auto r = records_.find(conn);
    return r != records_.end() && r->second.answered;
  }
  // `conn` let a request expire and never answered one, or let one expire
  // (or failed() us) within `slow_window`.
  bool failed_us(ConnId conn, WallTime now) const {
    const auto r = records_.find(conn);
    if (r == records_.end()) return false;
    const Record& c = r->second;
    return (c.expired > 0 && !c.answered) ||
           (c.last_failure && now - *c.last_failure <= config_.slow_window);
  }
  // Not yet found out, but worth probing (peer/prober.h): `conn` let a
  // request expire and never answered one, and has said nothing since it
  // was made, no byte and no REJECT (a liar, perhaps), or sent only some of
  // what we asked and no REJECT (slow, perhaps); or, within `slow_window`,
  // it sent a piece after we stopped waiting for it, or trickled a request,
  // while it said it had room (slow, perhaps).
  bool suspect(ConnId conn, WallTime now) const;
  // `conn` sent a REQUEST: flood, once over the rate.
  std::optional<Offence> requested(ConnId conn, WallTime now);
  // A dial to `to` failed: true once its host has proven to hand out false
  // addresses; the engine then drops the neighbours there.
  bool unreachable(const Endpoint& to, WallTime now);
  // A dial to `to` connected.
  void reached(const Endpoint& to);
  // When the first port of `host` was found unreachable.
  std::optional<WallTime> unreachable_since(const std::string& host) const;
  // When `conn` first showed a sign of `offence` (its first expiry, the
  // first request over the rate); nullopt if it never did, or for
  // an offence one message shows or that is not a neighbour's alone.
  std::optional<WallTime> first_sign(ConnId conn, Offence offence) const;
  void forget(ConnId conn);

 private:
  struct Record {
    int expired = 0;
    bool answered = false;
    WallTime last_word{};  // data or a REJECT
    WallTime last_reject{};
    // Expired requests: when each was made, and when its silence is judged.
    std::deque<std::pair<WallTime, WallTime>> pending;
    int silent = 0;
    bool convicted = false;
    bool sent_asked = false;
    WallTime second{};  // the second its requests are being counted in
    int requests = 0;
    std::optional<WallTime> expired_since, flooding_since;
    std::optional<WallTime> silent_since;  // when the first expired request was made
    std::optional<WallTime> last_failure;
    // Requests that ran out unfinished, by chunk, and what came of them since.
    struct Tail {
      uint8_t stripes;
      WallTime stopped;  // when we stopped waiting for it
      int pieces = 0;
      WallTime first{};  // when its first piece came
      size_t bytes = 0;  // after its first piece
      bool trickled = false;
    };
    std::vector<WallTime> trickles;  // when each request it trickled ran out
    std::map<ChunkSeq, Tail> tails;
    std::optional<WallTime> slow_since;  // when the request it trickled ran out
    std::optional<WallTime> late_piece;  // of a request, after we stopped waiting
  };
  struct Host {
    std::set<uint16_t> ports;    // unreachable
    std::set<uint16_t> reached;  // dialled and connected
    std::optional<WallTime> since;  // the first port found unreachable
  };

  // `name`'s record, made if there is room for another host; null if not.
  Host* host(const std::string& name);

  OffenderWatchConfig config_;
  std::map<ConnId, Record> records_;
  std::map<std::string, Host> hosts_;
};

}  // namespace shoal
