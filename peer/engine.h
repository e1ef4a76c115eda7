#pragma once
// PeerEngine: the viewer's protocol logic, sans IO. It is fed connection
// events, decoded messages and the current time, and returns the actions to
// carry out (send, dial, disconnect, play).
//
// It keeps its neighbours (NeighbourSet), gossips buffer maps and batched
// HAVEs, chooses where to start (start_point.h), fetches through the
// Scheduler, uploads to the neighbours the Choker unchokes (Uploader),
// follows the stream's rate (StreamMeter), and plays through the Playout.
// Every chunk's signature is checked before it is stored: a bad chunk is
// dropped, counted, and its sender disconnected and banned. So is a
// neighbour that misbehaves otherwise (peer/offence.h): one that sends
// malformed messages at once, one that lies, trickles, floods or gives
// false addresses once its OffenderWatch has seen the pattern.
//
// Time is the channel's clock (WallTime), the source's wall clock on which
// capture times are stamped, as this viewer reads it (ChannelClock): the
// engine queries its neighbours for their readings and the runner reads the
// channel clock off the monotonic one through channel_time(). It chooses no
// start before a first answer. After every call the runner re-arms one timer
// at next_wakeup() and calls tick() then.

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "overlay/limits/upload_limit.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"
#include "peer/actions.h"
#include "peer/assemblies.h"
#include "peer/candidate_pool.h"
#include "peer/channel_clock.h"
#include "peer/choker.h"
#include "peer/chunk_store.h"
#include "peer/neighbour_set.h"
#include "peer/offence.h"
#include "peer/offender_watch.h"
#include "peer/playout.h"
#include "peer/prober.h"
#include "peer/scheduler.h"
#include "peer/start_point.h"
#include "peer/stream_meter.h"
#include "peer/stripe_tree.h"
#include "peer/uploader.h"

namespace shoal {

struct PeerConfig {
  ChannelId channel{};
  PeerId self;
  uint16_t listen_port = 0;
  Endpoint source;                      // dialled by the runner, never as a peer
  std::chrono::milliseconds lag{3000};  // play time - capture time
  // A joining peer starts at the oldest random-access chunk due at least this
  // far ahead: time to fetch it, and no longer to wait.
  std::chrono::milliseconds start_margin{700};
  // The same for a chunk only the source holds: the source turns repairs away
  // beyond its repair share, so such a start needs time for a second try.
  std::chrono::milliseconds source_start_margin{1000};
  uint32_t window_chunks = 120;  // 60 s of 500 ms chunks
  uint32_t fetch_ahead = 16;     // chunks past the play cursor worth requesting
  SchedulerConfig scheduler;
  ChokerConfig choker;
  CandidateConfig candidates;
  // Neighbours it dials, and at most how many it keeps; the rest dialled it.
  // Dialling only half leaves room for viewers who come later: when the first
  // viewers dialled all they could keep, they filled up with each other, the
  // overlay grew as a band in join order, and chunks crossed it hop by hop.
  size_t target_neighbours = 6;
  size_t max_neighbours = 12;
  std::chrono::milliseconds have_interval{20};  // HAVEs are batched this long
  // Push trees (stripe_tree.h): the stripes of the newest chunks come down
  // trees, each piece passed on as it is verified, while at least
  // `relay_before` is left to its deadline. A chunk still being assembled has
  // its missing stripes pulled only once due within `repair_before` (and the
  // source asked within the scheduler's `source_window`), each at most a
  // third of the lag: a shorter lag waits less for the trees. Children take up to
  // `tree_share` of the uplink; pulls have the rest.
  StripeTreeConfig tree;
  // After the source points it at parents with room, it takes a nearer one
  // at once for this long (their dials and first word take a round trip or
  // two), rather than at its next jittered look.
  std::chrono::milliseconds parents_look{2000};
  double tree_share = 0.9;
  std::chrono::milliseconds relay_before{300};
  std::chrono::milliseconds repair_before{1000};
  // A viewer taken in beyond the neighbour cap, as a would-be child, that has
  // not subscribed within this is let go (a suspect once found out or cleared).
  std::chrono::milliseconds child_grace{5000};
  // A stripe without a parent this long makes it dial more neighbours.
  std::chrono::milliseconds orphan_after{1000};
  // STRIPES go to every neighbour when the tree changes, at most this often.
  std::chrono::milliseconds stripes_interval{250};
  // The engine is ticked at least this often to rechoke, request and play.
  std::chrono::milliseconds idle_tick{100};
  std::chrono::milliseconds buffer_map_interval{5000};
  // A BUFFER_MAP goes to every neighbour as soon as our uplink fills up or
  // frees (its room for the whole stream, by which they judge a slow upload:
  // OffenderWatch), at most once per this.
  std::chrono::milliseconds room_notice_every{1000};
  std::chrono::milliseconds keepalive_interval{1000};
  std::chrono::milliseconds pex_interval{10'000};
  // A neighbour that traded no chunk for this long makes room for another.
  std::chrono::milliseconds replace_after{30'000};
  // A neighbour that said nothing for this long is gone, though its
  // connection stands (our address changed, or a NAT forgot us): every
  // neighbour sends at least a TIME_QUERY every 5 s; the source, a parent
  // and a child something with every chunk (a HAVE, pieces), so for them
  // `busy_silent_after`; when no chunk comes, they send a BUFFER_MAP every
  // `keepalive_interval` instead.
  std::chrono::milliseconds silent_after{12'000};
  std::chrono::milliseconds busy_silent_after{3000};
  int upload_pipe = 1;  // chunks handed to the uplink at once
  // A request that could not start within this is REJECTed, so its requester
  // asks a less busy holder instead of queueing behind others.
  std::chrono::milliseconds max_upload_wait{300};
  // What this peer may upload: no limit, a rate (0: it uploads nothing), or a
  // multiple of the stream rate, nothing until the rate is known (the source
  // announces it on connect) and then following it. The node's uplink
  // follows upload_capacity().
  UploadLimit upload;
  bool client_server = false;  // fetch from the source only: the baseline to compare with
  // The local wall clock minus the monotonic one: the channel clock's
  // reading until a neighbour answers a TIME_QUERY.
  std::chrono::nanoseconds wall_minus_mono{0};
  // Each neighbour is asked for its reading this often (and on connecting).
  std::chrono::milliseconds time_query_interval{5000};
  // Its own IP address, told in HELLO ("" if it does not know): viewers
  // behind the same NAT reach each other there.
  std::string inside_host;
  // A viewer it could not dial is punched to again after this.
  std::chrono::milliseconds punch_again_after{60'000};
  uint64_t seed = 1;
};

// target_neighbours for a peer that keeps at most `max_neighbours`.
constexpr size_t dialled_neighbours(size_t max_neighbours) { return (max_neighbours + 1) / 2; }

struct PlaybackStats {
  uint64_t chunks_due = 0;
  uint64_t chunks_on_time = 0;
  uint64_t chunks_rejected = 0;
  std::vector<ChunkSeq> played;  // in play order
  std::vector<int64_t> lag_ms;   // play time - capture time, per chunk played
  // Arrival time - capture time, per chunk stored: how long the swarm took
  // to bring it, against a deadline of the lag.
  std::vector<int64_t> arrival_ms;
  std::vector<OffenderDropped> offenders;  // in the order dropped
};

enum class DialFailure { unanswered, local };

class PeerEngine {
 public:
  explicit PeerEngine(PeerConfig config);
  PeerEngine(const PeerEngine&) = delete;
  PeerEngine& operator=(const PeerEngine&) = delete;

  // A connection is up. `remote` is the address dialled, or for an accepted
  // one the remote end (its port is replaced by the HELLO's listen port).
  Actions on_connected(ConnId conn, LinkKind kind, const Endpoint& remote, WallTime now);
  // A dial failed: nobody answered at `to`, or the fault lay on this host (a
  // dial crossed with `to`'s own), which says nothing about `to`.
  Actions on_dial_failed(const Endpoint& to, DialFailure failure, WallTime now);
  Actions on_message(ConnId from, const Message& msg, WallTime now);
  // A request's data (a CHUNK, or its last PIECE) has left through the uplink.
  Actions on_chunk_sent(ConnId to, WallTime now);
  Actions on_disconnected(ConnId conn, WallTime now);
  // Other peers of the channel, from the tracker or the DHT.
  Actions on_peers_found(std::span<const Endpoint> peers, WallTime now);
  Actions tick(WallTime now);
  // The viewer stops watching but hands its children over first: it tells
  // every neighbour it is leaving (StripeTree::leave_all), so that its
  // children find other parents at once, and goes on passing on what its
  // parents push until its runner closes the connections
  // (PeerRunner::kHandOver later). Nothing plays or is counted from now on.
  Actions leave(WallTime now);

  // When tick() next has work to do.
  WallTime next_wakeup(WallTime now) const;

  // The channel's clock at monotonic time `local`: what every call takes as `now`.
  WallTime channel_time(MonoTime local) const { return clock_.read(local); }
  // When the monotonic clock reaches channel time `t` (to arm a timer).
  MonoTime local_time(WallTime t) const { return clock_.local(t); }
  const ChannelClock& clock() const { return clock_; }
  PeerId self() const { return config_.self; }
  // Our IP address as the source sees it (a NAT's, if we are behind one);
  // "" before its HELLO.
  const std::string& seen_as() const { return seen_as_; }

  // bytes/s of the stream, as the source said or from the chunks received;
  // nullopt before either.
  std::optional<double> stream_rate() const { return stream_.rate(); }
  // bytes/s this peer may upload now; nullopt: no limit.
  std::optional<double> upload_capacity() const { return uploader_.capacity(); }

  const PlaybackStats& stats() const { return stats_; }
  const ChunkStore& store() const { return store_; }
  const Playout& playout() const { return playout_; }
  size_t peer_neighbours() const { return neighbours_.peers(); }

 private:
  void on_hello(ConnId from, const Hello& m, WallTime now);
  void on_chunk(ConnId from, Neighbour& n, const std::shared_ptr<const Chunk>& chunk,
                WallTime now);
  // A verified chunk, received whole or assembled, is stored and announced.
  // CANCELs `seq` at neighbours that were asked for what came from another.
  void cancel_elsewhere(ChunkSeq seq, const std::vector<ConnId>& conns, WallTime now);
  void accept(ConnId from, const Neighbour& n, const std::shared_ptr<const Chunk>& chunk,
              WallTime now);
  void on_head(ConnId from, const ChunkHead& head, WallTime now);
  void on_piece(ConnId from, const PieceMsg& piece, WallTime now);
  // Passes a verified piece on to the children of its stripe that lack its
  // chunk, and a head to those that take heads from us, while in time.
  void relay(const PieceMsg& piece, WallTime capture, WallTime now);
  // Sends a pushed message down a tree, its bytes counted against our room.
  void push(ConnId to, Message m, WallTime now);
  // Whether our room for the whole stream changed since we last said: then
  // a BUFFER_MAP says so to every neighbour.
  bool tell_room(WallTime now);
  // `to_head_children`: only to those that take heads from us; else to all.
  void relay(const ChunkHead& head, bool to_head_children, WallTime now);
  bool in_time_to_relay(WallTime capture, WallTime now) const;
  void on_subscribe(ConnId from, const SubscribeMsg& m, WallTime now);
  // Sends a new child the pieces of `stripes` of the recent chunks it lacks.
  void catch_up(ConnId to, ChunkSeq from, StripeMask stripes, WallTime now);
  ChunkSeq catch_up_from(StripeMask stripes) const;
  // Subscribes, sets the slots, and tells the neighbours where it stands.
  void update_tree(WallTime now);
  // STRIPES to every greeted neighbour.
  void tell_stripes();
  // A neighbour is gone: nothing of it is waited for or owed.
  void forget(ConnId conn, WallTime now);
  void on_request(ConnId from, const Neighbour& n, const RequestMsg& r, WallTime now);
  void query_time(ConnId to, Neighbour& n, WallTime now);
  void on_time_query(ConnId from, const TimeQueryMsg& q, WallTime now);
  void on_time_reply(Neighbour& n, const TimeReplyMsg& r, WallTime now);
  void ask_hole_punch(const Endpoint& to, WallTime now);
  void on_hole_punch(const HolePunchMsg& m, WallTime now);
  void dial(const Endpoint& to, WallTime now);
  void send_buffer_map(ConnId to, Neighbour& n, WallTime now);
  void send_pex(ConnId to, Neighbour& n, WallTime now);
  void choose_start(WallTime now);
  void play_due(WallTime now);
  // The newest chunk known to exist, held here or by a neighbour.
  std::optional<ChunkSeq> live_edge() const;
  // The source's connection, once it said HELLO.
  std::optional<ConnId> source_link() const;
  // Whether `n` claims chunks well past the source's newest.
  bool claims_unpublished(const Neighbour& n) const;
  void request_missing(WallTime now);
  void send_request(const ChunkRequest& r, WallTime now);
  // Whether some of `stripes` of `seq` is asked of `conn`, by a request or a probe.
  bool asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes) const;
  // Probes each suspect neighbour (peer/prober.h) not being probed, one
  // that chokes us too: an honest one REJECTs, a liar says nothing.
  void probe_suspects(WallTime now);
  void rechoke(WallTime now);
  void set_unchoked(ConnId conn, bool unchoked);
  void maintain_neighbours(WallTime now);
  void pump_uploads(WallTime now);
  void flush_haves();
  bool interested(const Neighbour& n) const;
  void follow_stream_rate();
  void drop(ConnId conn, std::string reason, bool ban, WallTime now);
  // Drops a viewer for good, counts it, and tells the source if a message
  // proved it.
  void punish(ConnId conn, Offence offence, const std::string& what, WallTime now,
              Proof proof = Proof::message);
  // Bans a viewer and counts it, telling the source if a message proved it.
  void convict(ConnId conn, const Neighbour& n, Offence offence, Proof proof, WallTime now);
  // A neighbour is leaving, closed by either side: a liar whose silence
  // was still being judged is convicted (OffenderWatch::closing).
  void judge_leaving(ConnId conn, WallTime now);
  Actions take();

  PeerConfig config_;
  ChannelClock clock_;
  std::mt19937_64 rng_;
  ChunkStore store_;
  Playout playout_;
  Scheduler scheduler_;
  Choker choker_;
  NeighbourSet neighbours_;
  Uploader uploader_;
  Assemblies assemblies_;
  StripeTree tree_;
  OffenderWatch watch_;
  Prober prober_;
  std::string seen_as_;
  std::map<std::string, WallTime> punched_;  // address -> when a punch was asked or given
  bool tree_changed_ = false;
  bool leaving_ = false;
  WallTime last_stripes_sent_;
  StreamMeter stream_;
  HaveMsg pending_haves_;
  WallTime last_have_flush_;
  WallTime last_stored_{};  // when a chunk last arrived: the stream flows
  bool had_room_ = true;    // for the whole stream on our uplink, as we last said
  WallTime room_told_{};
  PlaybackStats stats_;
  Actions out_;
};

}  // namespace shoal
