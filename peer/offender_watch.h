#pragma once
// OffenderWatch: what an honest viewer counts of each neighbour to find out
// the ones that misbehave in ways no single message shows (peer/offence.h).
// Forged chunks and malformed messages the engine sees at once; these take
// a pattern:
//
// - liar: `silent_expiries` of our requests to it expired and nothing came
//   from it for them, no byte and no REJECT, within `silence_grace` after,
//   and it never answered one on this link. An honest neighbour answers
//   every request, with data or a REJECT (one it could not serve in time is
//   REJECTed as its requester stops waiting: Uploader::drop_stale).
// - liar, slow: `unanswered` of our requests to it expired and it never
//   answered one on this link: slow if it sent some of what we asked for,
//   else a liar. A loaded honest neighbour lets one expire now and then
//   (in simulations of 50 and 300 viewers with 10-150 ms links, up to 5
//   before its first answer), but answers others.
// - flood: more than `max_requests_per_second` REQUESTs within a second;
//   a viewer asks a neighbour for at most a few chunks' stripes at once.
// - sybil: `unreachable_ports` ports on its host could not be dialled. The
//   tracker pairs the port a viewer announces with the address it sees the
//   announce come from, so a viewer can announce false addresses only on
//   its own host; a viewer that left makes one unreachable port, not three.
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
  int max_requests_per_second = 1000;
  size_t unreachable_ports = 3;
  size_t max_hosts = 1024;  // hosts with unreachable ports remembered, at most
};

class OffenderWatch {
 public:
  explicit OffenderWatch(OffenderWatchConfig config = {}) : config_(config) {}

  // Our request to `conn`, made at `sent`, expired unanswered: its
  // offence, once proven.
  std::optional<Offence> expired(ConnId conn, WallTime sent, WallTime now);
  // Neighbours proven liars by their silence now (see above); each once.
  std::vector<ConnId> judge(WallTime now);
  // `conn` sent chunk data (even too late to use).
  void sent_data(ConnId conn, WallTime now);
  // `conn` sent some of a stripe or chunk we asked it for.
  void sent_asked(ConnId conn) { records_[conn].sent_asked = true; }
  // `conn` REJECTed a request.
  void rejected(ConnId conn, WallTime now) { records_[conn].last_word = now; }
  // One of our requests was answered by `conn`.
  void answered(ConnId conn);
  bool has_answered(ConnId conn) const {
    const auto r = records_.find(conn);
    return r != records_.end() && r->second.answered;
  }
  // `conn` let a request expire and never answered one.
  bool failed_us(ConnId conn) const {
    const auto r = records_.find(conn);
    return r != records_.end() && r->second.expired > 0 && !r->second.answered;
  }
  // `conn` let a request expire and has said nothing since it was made, no
  // byte and no REJECT, and is not yet found out: a liar, perhaps, worth
  // probing (peer/prober.h).
  bool suspect(ConnId conn) const {
    const auto r = records_.find(conn);
    return r != records_.end() && r->second.silent_since && !r->second.answered &&
           !r->second.convicted && r->second.last_word < *r->second.silent_since;
  }
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
    // Expired requests: when each was made, and when its silence is judged.
    std::deque<std::pair<WallTime, WallTime>> pending;
    int silent = 0;
    bool convicted = false;
    bool sent_asked = false;
    WallTime second{};  // the second its requests are being counted in
    int requests = 0;
    std::optional<WallTime> expired_since, flooding_since;
    std::optional<WallTime> silent_since;  // when the first expired request was made
  };
  struct Host {
    std::set<uint16_t> ports;  // unreachable
    WallTime since;
  };

  OffenderWatchConfig config_;
  std::map<ConnId, Record> records_;
  std::map<std::string, Host> unreachable_;
};

}  // namespace shoal
