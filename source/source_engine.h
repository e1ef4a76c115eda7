#pragma once
// SourceEngine: the broadcaster's protocol logic, sans IO. It keeps the
// sliding window of signed chunks, greets viewers of its channel and tells
// them of each new chunk with a HAVE.
//
// Its upload policy makes the peers, not the source, multiply the stream:
// it is the root of the stripe trees (peer/stripe_tree.h) and pushes each
// new chunk's head and pieces to `push_copies` children per stripe (one by
// default), viewers that pass that stripe on; everything else the source
// uploads only on request,
// which peers make only for a chunk no other peer can deliver in time. Those
// repairs are capped at `repair_share` of the stream rate, except a chunk's
// second copy while few viewers hold it (viewers send the source their HAVEs).
// Requests wait in an UploadQueue for room in the uplink; one that could not
// start within `max_wait` is REJECTed at once, since a repair that comes late
// is worth nothing and would delay every other chunk.

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "peer/actions.h"
#include "peer/chunk_store.h"
#include "peer/rate_meter.h"
#include "peer/stream_meter.h"
#include "peer/stripe_tree.h"
#include "peer/upload_queue.h"

namespace shoal {

struct SourceConfig {
  ChannelId channel{};
  PeerId self;
  uint32_t window_chunks = 120;
  int push_copies = 1;
  int upload_pipe = 2;  // chunks handed to the uplink at once
  std::chrono::milliseconds request_max_age{2000};
  std::chrono::milliseconds max_wait{500};
  // Requests are served up to this multiple of the stream rate, over the
  // last 5 s; beyond it they are REJECTed, keeping the uplink free for the
  // pushes and making the peers, not the source, repair each other. nullopt:
  // no limit (viewers that fetch from the source only).
  std::optional<double> repair_share = 0.3;
  // ... except for a chunk that has left the source fewer times than this
  // (its push included): nobody may hold it yet, as when viewers join a
  // broadcast under way and all want the chunks before the newest.
  int seed_copies = 2;
  // ... and only while fewer than this share of the viewers say (by HAVE)
  // that they hold it: beyond that it is late at one viewer, not stuck, and
  // the viewers can pass it on.
  double spread_share = 0.4;
  // A viewer without a parent in some stripe is pointed at candidates at
  // most this often.
  std::chrono::milliseconds parents_interval{2000};
  // A viewer has at most this many hole punches made for it per 10 s.
  int punches_per_10s = 20;
  // A viewer that this many others dropped for misbehaving (OFFENDER) is
  // taken out of the trees. Only out of the trees: a few liars could say
  // this of anyone, and then cost that viewer its place near the root.
  size_t reports_to_bar = 2;
  std::chrono::milliseconds barren_after{4000};
  std::chrono::milliseconds barren_for{30'000};
  // A viewer behind a NAT that changes ports, without a parent this long,
  // is taken as a child beyond push_copies; at most this many such. At once:
  // no viewer behind another NAT can reach it, and one behind its own will
  // take the first rescued there as parent.
  std::chrono::milliseconds rescue_after{0};
  size_t max_rescued = 4;
  // STRIPES go to every viewer when the trees' root changes, at most this
  // often (checked as chunks are published).
  std::chrono::milliseconds stripes_interval{250};
  std::chrono::milliseconds keepalive_interval{1000};
  // What the source may upload: no limit, a rate, or a multiple of the
  // stream's rate as it publishes it. The node's uplink follows
  // upload_capacity(), and so does the judgement of its repairs.
  UploadLimit upload;
  uint64_t seed = 1;
};

class SourceEngine {
 public:
  explicit SourceEngine(SourceConfig config);
  SourceEngine(const SourceEngine&) = delete;
  SourceEngine& operator=(const SourceEngine&) = delete;

  // `remote` is the viewer's address as seen here; its HELLO adds the port
  // it listens on, and the source then points newcomers at it (PEX), so a
  // swarm forms even without a tracker.
  Actions on_connected(ConnId conn, const Endpoint& remote);
  Actions on_message(ConnId from, const Message& msg, WallTime now);
  // A request's data (a CHUNK, or its last PIECE) has left through the uplink.
  Actions on_chunk_sent(ConnId to, WallTime now);
  void on_disconnected(ConnId conn);
  // A new signed chunk enters the window.
  Actions publish(std::shared_ptr<const Chunk> chunk, WallTime now);
  // Call twice per `keepalive_interval` or more. While nothing is published (the
  // publisher is away, or not there yet), every viewer gets the buffer map
  // that often, so that it takes the silence for a pause, not a failure.
  Actions tick(WallTime now);

  // bytes/s the source may upload now; nullopt: no limit.
  std::optional<double> upload_capacity() const { return capacity_.value(); }

  size_t viewers() const;
  // Payload bytes viewers said (by HAVE) they hold: what the swarm delivered.
  uint64_t bytes_delivered() const { return delivered_; }
  const ChunkStore& store() const { return store_; }

 private:
  struct Viewer {
    bool greeted = false;
    Endpoint address;  // where it accepts other viewers; port 0 if it does not
    std::string inside;  // its own IP, as its HELLO said ("" if not)
    uint16_t seen_port = 0;  // the port its link to us comes from
    // Behind a NAT that changes ports: no viewer behind another NAT can
    // dial it, punching or not (its link to us left from its listening port).
    bool hard_nat = false;
    std::optional<WallTime> orphaned_since;  // without a parent in some stripe
    std::optional<StripesMsg> tree;  // where it stands, as it said last
    WallTime parents_sent{};         // when it was last pointed at parents
    WallTime punches_since{};        // the window its hole punches count in
    int punches = 0;
    PeerId id;              // as its HELLO said
    bool barred = false;    // out of the trees: viewers said it misbehaved
    // Per stripe: since when it is our child, and until when it may not be
    // (it passed nothing on while others went without).
    std::array<std::optional<WallTime>, kStripes> child_since;
    std::array<WallTime, kStripes> barren_until{};
  };

  // The window, the stream's rate and the newest chunk's time.
  BufferMapMsg buffer_map() const;
  void push(const std::shared_ptr<const Chunk>& chunk, Actions& out);
  void tell_stripes(WallTime now, Actions& out);
  PexMsg other_viewers(ConnId to);
  // Takes in viewers behind NATs that change ports and that found no parent
  // (StripeTree::rescue): at most one per NAT, `max_rescued` in all.
  void rescue_stuck(WallTime now, Actions& out);
  // Has `from` and the viewer at addrs[0] dial each other (HolePunchMsg).
  Actions hole_punch(ConnId from, Viewer& v, const HolePunchMsg& m, WallTime now);
  // Where `v` is dialled from `other`: where the source sees it, and inside
  // their NAT if they share one.
  static HolePunchMsg addresses_of(const Viewer& v, const Viewer& other);
  // Viewers near the top of the trees of `stripes` with room for `to`.
  PexMsg parents_for(ConnId to, StripeMask stripes);
  // `from` says it dropped a viewer for misbehaving.
  Actions on_offender(const Viewer& from, const OffenderMsg& m);
  // Our children that have had no descendant in their stripe for
  // `barren_after` (at once if they say they take no child there) while
  // some viewer has no parent there make way: a viewer that takes the
  // stripe and passes it to nobody would starve the tree.
  void prune_barren(WallTime now, Actions& out);
  // The stripes `conn` may not subscribe to now.
  StripeMask barred_stripes(const Viewer& v, WallTime now) const;
  Actions pump(WallTime now);
  bool uplink_busy(std::optional<std::chrono::milliseconds> wait) const;
  bool over_repair_share(WallTime now);
  // Whether a request for `seq` is beyond what the source repairs.
  bool turn_away(ChunkSeq seq, WallTime now);

  uint64_t delivered_ = 0;
  SourceConfig config_;
  std::mt19937_64 rng_;
  ChunkStore store_;
  UploadQueue uploads_;
  std::map<ConnId, Viewer> viewers_;
  StreamMeter stream_;  // of what it published
  UploadCapacity capacity_;
  RateMeter repaired_{5};                         // chunk bytes sent on request
  std::map<ChunkSeq, int> copies_;                // times each chunk in the window left the source
  std::map<ChunkSeq, std::set<ConnId>> holders_;  // viewers whose HAVE named it
  std::map<PeerId, std::set<PeerId>> reported_;   // viewer -> who said it misbehaved
  StripeTree tree_;
  bool tree_changed_ = false;
  WallTime last_stripes_sent_;
  WallTime last_said_;  // when every viewer last heard something
};

}  // namespace shoal
