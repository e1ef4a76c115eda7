#pragma once
// StripeTree: the push trees a node takes part in. A chunk's pieces are dealt
// into kStripes stripes (piece i in stripe i % kStripes, media/chunk_head.h),
// and each stripe flows down a tree of its own, each piece passed on as soon
// as it is verified: a hop costs a link's latency and a piece's transmission,
// no round trip and no whole chunk.
//
// A viewer has a home stripe and passes that one on, to up to `slots`
// children; in the others it is a leaf (SplitStream), passing them on only
// while it has slots free. The source deals the homes out so that each
// stripe has as many inner nodes as the others (`assign_home`). A viewer uploading u times the stream rate has about
// u·kStripes slots, so a stripe's inner nodes, a quarter of the viewers, reach
// everyone in about log_{u·kStripes}(N) levels. The source is the root of
// every stripe, with `slots` children per stripe.
//
// As a child, a node subscribes for each stripe to the neighbour passing it
// on that is nearest the source and takes it, and moves to one at least
// `better_by` levels nearer when there is one; it takes every chunk's head
// from the nearest of its parents. As a parent it ranks children: one that
// passes the stripe on (it is home there) before a leaf, one that uploads
// before a free rider, each as its SUBSCRIBE says unless its STRIPES tell
// others it has no room (a liar's do); a full parent makes room for a child
// of a higher rank by dropping its lowest. Each node tells, per stripe, a
// Bloom filter of its ancestors (the root's left out), so that a node with
// children there takes none of its descendants as parent; a loop made of
// stale word anyway is broken as soon as a node's parent counts the node
// among its ancestors (else, at the latest, once its depths count up to
// `max_depth`). A node that lost its parent says so at once (no depth), and
// its children look for other parents at once too. A node that leaves
// says so and hands its children over: they move at once, their own
// children stay. Nearer parents are sought only now and then, at each
// node's own jittered times.
//
// Sans IO; time is only compared, never read.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "media/chunk_head.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"

namespace shoal {

inline constexpr uint8_t kNoDepth = 255;
inline constexpr uint8_t kTakesNobody = 5;  // above every rank

using StripeMask = uint8_t;
constexpr StripeMask stripe_bit(uint32_t stripe) { return static_cast<StripeMask>(1u << stripe); }
// The home of a viewer that has not chosen one yet: it passes stripes on only
// while it has a slot free.
inline constexpr uint32_t kHomeUndecided = kStripes + 1;

struct StripeTreeConfig {
  // A parent that refused us a stripe is not asked for it again this soon.
  std::chrono::milliseconds refusal{2000};
  int better_by = 2;
  std::chrono::milliseconds move_interval{5000};  // per stripe, voluntary moves
  uint8_t max_depth = 16;
};

class StripeTree {
 public:
  // `root`: the source, which passes every stripe on.
  StripeTree(PeerId self, bool root, StripeTreeConfig config, uint64_t seed);

  bool root() const { return home_ == kStripes; }
  // kStripes at the root; kHomeUndecided until it chose.
  uint32_t home() const { return home_; }
  // 0 at the root; kNoDepth while it has no parent for `stripe`.
  uint8_t depth(uint32_t stripe) const;
  // Children it takes: per stripe at the root, else in its home stripe.
  void set_slots(size_t slots) { slots_ = slots; }
  size_t slots() const { return slots_; }

  // --- as a child
  // A neighbour said where it stands. False: the message is malformed.
  bool heard(ConnId conn, const StripesMsg& m, WallTime now);
  // The SUBSCRIBEs to send now, one per neighbour whose subscription changes.
  std::vector<std::pair<ConnId, SubscribeMsg>> choose(WallTime now);
  std::optional<ConnId> parent(uint32_t stripe) const { return parents_[stripe]; }
  // The stripes it has a parent for.
  StripeMask parented() const {
    StripeMask m = 0;
    for (uint32_t s = 0; s < kStripes; ++s) {
      if (parents_[s]) m |= stripe_bit(s);
    }
    return m;
  }
  // Whether `conn` said it takes children (it is no free rider).
  bool uploads(ConnId conn) const {
    const auto it = heard_.find(conn);
    return it != heard_.end() && it->second.m.slots > 0;
  }
  // It is leaving: it tells everyone so and that it takes nobody, so that
  // its children move elsewhere at once (their own children stay), and
  // keeps its own parents (it passes on what they push until its children
  // have moved), ranked lowest of all children so that one of its own may
  // take its place.
  void leave_all() { leaving_ = true; }
  // Pointed at parents with room (by the source) while it has no depth in
  // some stripes: there, a nearer parent is taken at once, not at its next
  // look, until `until` (the first it finds may be far down).
  void look_now(WallTime until);
  // Stripes it has had no parent for for at least `after` (none at the root).
  size_t orphaned(WallTime now, std::chrono::milliseconds after) const;

  // --- as a parent
  struct Answer {
    StripeMask pushing = 0;         // what it now pushes to the asker
    std::vector<ConnId> displaced;  // children dropped to make room: tell them
  };
  Answer subscribe(ConnId conn, const SubscribeMsg& m);
  // Stops pushing `stripes` (and, if `heads`, heads) to a child; it is to
  // be told (state_for).
  void drop_child(ConnId conn, StripeMask stripes, bool heads = false);
  // A node's bits in the ancestor filters (StripesMsg::ancestors) of its
  // descendants.
  static uint64_t filter_bits(PeerId id);
  const std::vector<ConnId>& children(uint32_t stripe) const { return children_[stripe]; }
  const std::vector<ConnId>& head_children() const { return head_children_; }
  bool is_child(ConnId conn) const { return kids_.contains(conn); }
  // Children it could still take in its home stripe (none at the root).
  size_t free_slots() const;
  // Would-be children it lets connect beyond its neighbour cap: its slots,
  // since a better child may take the place of a worse.
  size_t room_for_children() const;
  std::vector<ConnId> children_all() const;
  bool is_parent(ConnId conn) const { return std::ranges::find(parents_, conn) != parents_.end(); }
  size_t child_count() const { return kids_.size(); }
  // Stripes pushed to children, counted once per child.
  size_t pushes() const;

  // What to tell `conn` (STRIPES).
  StripesMsg state_for(ConnId conn) const;
  // At the root: a viewer no other viewer can dial (behind a NAT that
  // changes ports) that has found no parent is taken in every stripe it
  // asks, beyond the slots, displacing nobody and displaced by nobody.
  void rescue(ConnId conn) { rescued_.insert(conn); }
  bool rescued(ConnId conn) const { return rescued_.contains(conn); }
  size_t rescued_count() const { return rescued_.size(); }
  // At the root: the home of a new viewer, the stripe fewest viewers have.
  uint32_t assign_home(ConnId conn);
  // At the root: the home dealt to `conn`; kHomeUndecided if none.
  uint32_t home_of(ConnId conn) const;
  // A child's rank among a parent's: 0 in a stripe the parent passes on only
  // while it has room; else 1, +2 if the child passes the stripe on (its
  // home, and it has slots), +1 if it uploads at all (has slots). A parent that takes rank r takes every child of r or
  // more.
  static uint8_t rank(uint32_t parent_home, uint32_t stripe, uint32_t child_home,
                      size_t child_slots);
  // Whether what it tells every neighbour (depths, ranks taken) changed since
  // the last call.
  bool take_changed();

  // A neighbour is gone, as parent, child and candidate.
  void forget(ConnId conn, WallTime now);

 private:
  struct Heard {
    StripesMsg m;
    std::array<WallTime, kStripes> refused_until{};
  };
  struct Kid {
    SubscribeMsg m;
  };

  // A child's rank, by its SUBSCRIBE and the slots its STRIPES tell: one
  // that tells others it has no room passes nothing on, whatever it said
  // subscribing.
  uint8_t rank_of(ConnId conn, const SubscribeMsg& m, uint32_t stripe) const;
  uint8_t my_rank(uint32_t stripe, uint32_t parent_home) const;
  // Children counted against the slots that `stripe` would use.
  size_t used_slots(uint32_t stripe) const;
  uint8_t takes(uint32_t stripe) const;
  // Depth of `conn` in `stripe` as it said; kNoDepth if unknown or counted out.
  uint8_t depth_of(ConnId conn, uint32_t stripe) const;
  bool eligible(ConnId conn, const Heard& h, uint32_t stripe, WallTime now) const;
  // Whether the sender of `m` is, by its ancestor filter, one of its
  // descendants in `stripe` (or, rarely, one the filter mistakes for one).
  bool below_me(const StripesMsg& m, uint32_t stripe) const;
  void leave(uint32_t stripe, WallTime now);
  // `d` times a random factor between 0.5 and 1.5.
  WallTime::duration jittered(std::chrono::milliseconds d);
  void rebuild_children();

  // Its ancestors' filter in `stripe`, itself included.
  uint64_t ancestors(uint32_t stripe) const;

  // Rank taken as told to others: none while leaving.
  uint8_t told_takes(uint32_t stripe) const { return leaving_ ? kTakesNobody : takes(stripe); }

  uint32_t home_;
  bool leaving_ = false;
  StripeTreeConfig config_;
  std::mt19937_64 rng_;
  uint64_t me_;  // its bits in ancestor filters
  size_t slots_ = 0;
  std::map<ConnId, Heard> heard_;
  std::array<std::optional<ConnId>, kStripes> parents_;
  std::array<WallTime, kStripes> next_look_{};  // for a nearer parent, per stripe
  std::array<WallTime, kStripes> look_until_{};  // nearer parents taken at once till then
  std::array<WallTime, kStripes> last_depth_at_{};  // when it last had a depth
  std::optional<WallTime> started_;       // its first choose()
  std::map<ConnId, SubscribeMsg> asked_;  // what it asked of each parent
  uint32_t next_ask_ = 1;
  std::map<ConnId, Kid> kids_;
  std::map<ConnId, uint32_t> answers_;  // the last ask heard from each neighbour
  std::map<ConnId, uint32_t> homes_;    // at the root: the homes dealt out
  std::set<ConnId> rescued_;            // at the root: taken beyond the slots
  std::array<std::vector<ConnId>, kStripes> children_;
  std::vector<ConnId> head_children_;
  struct Told {
    std::vector<uint8_t> depth, takes;
    std::vector<uint64_t> ancestors;
    size_t slots = 0;  // a newcomer's are known once the stream's rate is
    bool operator==(const Told&) const = default;
  };
  Told told_;  // what every neighbour was told last
};

}  // namespace shoal
