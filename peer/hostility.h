#pragma once
// Hostility: what makes a viewer hostile, to test the swarm's defences
// (`shoal peer --hostile KIND`, `shoal swarm --hostile K --hostile-kind
// KIND`). A hostile viewer runs an honest PeerEngine, and so watches like
// any other; its PeerRunner passes what the engine sends through bend(),
// adds what tick() makes, and runs its uplink at uplink(). Each kind commits
// its Offence (peer/offence.h) against every viewer it links to:
//
// - forge: every piece and chunk it uploads has a byte flipped;
// - liar: its buffer maps claim every chunk of its window; it answers no
//   request, not even with a REJECT;
// - slow: it accepts requests and trickles them (its uplink runs at a
//   25th of what the engine asks for, or 8 kB/s);
// - flood: 300 REQUESTs to each neighbour every tick (3000/s), and each
//   neighbour that drops it dialled again every 500 ms (20 times);
// - garbage: a malformed or out-of-place message to each neighbour every
//   500 ms;
// - sybil: its node announces addresses on its own host where nobody
//   listens to the tracker and the DHT, beside its own (sybil_addresses()).
//   It offends no neighbour in particular: each finds the false addresses
//   by dialling them.
//
// The liar and the slow one also take no children (their STRIPES say no
// room): both are found out by the requests they fail, and they offend a
// viewer when it waited for one in vain: its CANCEL came as the wait it asked
// for ran out, or (the liar's) no CANCEL came; a request it CHOKEd the
// viewer with was not waited for. The slow one offends only with
// a request it began to send (trickled): one it held queued and REJECTed, as
// a busy honest viewer does, or that came whole in time, is no offence. It
// notes when it first offended each neighbour, for the stats. Sans IO.

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
#include "peer/actions.h"
#include "peer/offence.h"

namespace shoal {

// False addresses a sybil's node announces beside its own.
inline constexpr size_t kSybilAnnounces = 20;

// `n` addresses on `host` that no node of ours listens on (ports 40000-59999).
std::vector<Endpoint> sybil_addresses(const std::string& host, size_t n, std::mt19937_64& rng);

class Hostility {
 public:
  Hostility(Offence kind, uint64_t seed) : kind_(kind), rng_(seed) {}

  Offence kind() const { return kind_; }
  // A message from a viewer (not the source): who it is, what it asks.
  void heard(ConnId from, const Message& m, WallTime now);
  // Rewrites what the engine sends a viewer (not the source); false: it is
  // not sent at all.
  bool bend(ConnId to, Message& m, WallTime now);
  // What it sends and dials of its own; called every `kTick`. `newest`: its
  // newest chunk, around which a flood asks.
  static constexpr std::chrono::milliseconds kTick{100};
  Actions tick(std::optional<ChunkSeq> newest, WallTime now);
  // A link to a viewer closed; `host` is where the viewer was.
  void closed(ConnId conn, const std::string& host, WallTime now);
  // The uplink it runs at when its engine asks for `asked` bytes/s (0: no limit).
  double uplink(double asked) const;

  // A viewer it offended, and when first.
  struct Offended {
    PeerId peer;
    WallTime at;
  };
  std::vector<Offended> offended() const;

 private:
  struct Viewer {
    PeerId id;
    uint16_t listen_port = 0;
    // Its requests not cancelled yet: until when it waits for each, how
    // much before that a CANCEL still means it waited in vain, and whether
    // we began to send it.
    struct Waiting {
      WallTime until;
      std::chrono::milliseconds slack;
      bool begun = false;
    };
    std::map<ChunkSeq, Waiting> waiting;
  };
  struct Redial {
    Endpoint to;
    WallTime next;
    int left = 20;
  };
  void offend(ConnId conn, WallTime now);

  Offence kind_;
  std::mt19937_64 rng_;
  std::map<ConnId, Viewer> viewers_;  // greeted
  std::map<PeerId, WallTime> first_offence_;
  std::vector<Redial> redials_;
  std::set<std::string> redialled_;  // viewers whose redials have begun
  WallTime last_garbage_{};
  size_t garbage_turn_ = 0;
};

}  // namespace shoal
