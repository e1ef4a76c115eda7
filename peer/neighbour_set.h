#pragma once
// NeighbourSet: who a viewer's neighbours are. It keeps one Neighbour per
// connection (the source, and other viewers), the pool of candidate
// addresses learnt from discovery and PEX, the dials under way, and the
// membership policy:
//
// - it dials until `target` peers (counting dials under way) and accepts up
//   to `max`; an accepted newcomer beyond that is turned away;
// - a HELLO from itself, from a viewer that misbehaved, or on a second
//   connection to a peer already greeted ends a connection (of two peers
//   that dialled each other at once, both keep the link the smaller id
//   dialled);
// - one neighbour that traded no chunk for `replace_after` makes way, if
//   others wait to take its place (one per `replace_after`).
//
// It decides; the engine sends what follows. Sans IO.

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"
#include "peer/buffer_map.h"
#include "peer/candidate_pool.h"
#include "peer/rate_meter.h"

namespace shoal {

enum class LinkKind { source, dialled, accepted };

// The source or another viewer, as the engine keeps it.
struct Neighbour {
  LinkKind kind = LinkKind::dialled;
  Endpoint address;  // where it listens; port 0 if it does not (or has not said)
  bool greeted = false;
  PeerId id;
  BufferMap map;
  bool unchoked_us = false;  // it serves our requests (the source always does)
  bool we_unchoke = false;   // we serve its requests
  bool for_tree = false;     // accepted beyond the cap, as a would-be child
  WallTime connected_at;
  WallTime last_heard;  // its last message
  uint64_t spare_upload = 0;  // bytes/s its last BUFFER_MAP said it could still add
  WallTime last_map_sent;
  WallTime last_pex_sent;
  WallTime last_time_query;
  std::optional<int64_t> time_query;  // the TIME_QUERY unanswered, as sent
  RateMeter received;  // chunk bytes it sent us
  RateMeter sent;      // chunk bytes we sent it
  bool is_source() const { return kind == LinkKind::source; }
};

struct NeighbourConfig {
  PeerId self;
  Endpoint source;  // never taken as a peer's address
  size_t target = 6;
  size_t max = 12;
  std::chrono::milliseconds replace_after{30'000};
  CandidateConfig candidates;
  bool client_server = false;  // no peers at all
};

class NeighbourSet {
 public:
  using Map = std::map<ConnId, Neighbour>;

  explicit NeighbourSet(NeighbourConfig config);

  // A connection is up: its new Neighbour, or null for an accepted one the
  // set has no room for. `remote` is the address dialled, or the remote end
  // of an accepted one (its port comes with the HELLO).
  // `room_for_children`: accepted ones it takes beyond the most it keeps, as
  // would-be children in its push tree.
  Neighbour* connected(ConnId conn, LinkKind kind, const Endpoint& remote, WallTime now,
                       size_t room_for_children = 0);
  void dial_failed(const Endpoint& to, WallTime now);
  // Other viewers' addresses, from discovery or a PEX.
  void learn(std::span<const Endpoint> peers, WallTime now);
  void learn(const PexMsg& pex, WallTime now);

  // Records `conn`'s HELLO (its id and listen port). Returns the connection
  // that must go, if one must, and why; else the neighbour is to be
  // welcome()d. A duplicate may cost the other connection instead: welcome
  // this one after dropping that one.
  struct Drop {
    ConnId conn;
    std::string reason;
    bool ban = false;  // its address is never dialled again
  };
  std::optional<Drop> hello(ConnId conn, const Hello& m);
  void welcome(ConnId conn);
  // Never greet this viewer again (it misbehaved: peer/offence.h).
  void ban(PeerId id) { banned_.insert(id); }

  // The engine ends `conn`; false if it was not here.
  bool drop(ConnId conn, bool ban, WallTime now);
  // The connection ended; false if it was not here.
  bool lost(ConnId conn, WallTime now);

  // Peers to dial now to fill the set; each then counts as being dialled.
  // Of `addresses`, those to dial now: not linked or dialled yet, while
  // fewer than the most it keeps.
  std::vector<Endpoint> dial_now(const PexMsg& pex, WallTime now);
  // `extra`: beyond the target (up to the most it keeps), while it lacks
  // neighbours of some kind.
  std::vector<Endpoint> to_dial(WallTime now, std::mt19937_64& rng, size_t extra = 0);
  // A neighbour that should make way for another, if one should now.
  std::optional<ConnId> to_replace(WallTime now);

  // For a PEX to `to`: other greeted viewers that accept connections, in
  // random order, at most kPexAddresses.
  PexMsg pex_for(ConnId to, std::mt19937_64& rng) const;
  // For a newcomer turned away: every greeted neighbour that accepts
  // connections, the source included, at most kPexAddresses.
  PexMsg everyone() const;

  Neighbour* find(ConnId conn);
  const Neighbour* find(ConnId conn) const {
    const auto it = map_.find(conn);
    return it == map_.end() ? nullptr : &it->second;
  }
  bool contains(ConnId conn) const { return map_.contains(conn); }
  size_t peers() const;  // neighbours other than the source
  Map::iterator begin() { return map_.begin(); }
  Map::iterator end() { return map_.end(); }
  Map::const_iterator begin() const { return map_.begin(); }
  Map::const_iterator end() const { return map_.end(); }

 private:
  NeighbourConfig config_;
  Map map_;
  CandidatePool candidates_;
  std::set<std::string> dialling_;  // "host:port" of dials under way
  std::set<PeerId> banned_;         // viewers that misbehaved
  WallTime last_replace_;
};

}  // namespace shoal
