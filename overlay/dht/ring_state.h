#pragma once
// RingState: where a Chord node stands on the ring, and the upkeep that
// keeps that right (sans IO: the caller gives the time).
//
// A node knows its predecessor, a list of at most r successors (empty until
// it has joined) and its fingers, finger i being the successor of n + 2^i. It
// owns the keys in (predecessor, itself]. Stabilization asks the successor
// for its predecessor and successor list (a node that joined in between
// becomes the successor) and NOTIFYs it; a NOTIFY from a node closer than the
// predecessor makes that node the predecessor. A node that answers nothing,
// or leaves, is dropped from every table, and the next successor takes a
// dead one's place. A change of owner is returned, for the values to follow.
//
// What it sends goes through the RequestLayer it is given. Joining is asked
// here (join_through) and done by a join lookup (Lookups), whose end comes
// back through join_at() or join_failed(). Lines worth logging (a join, a
// dead successor) wait in take_notes().

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/request_layer.h"

namespace shoal {

// Where a lookup for a key stands at a node.
struct Route {
  bool done = false;  // `node` owns the key; else `node` is the next to ask
  DhtNode node;
};

// A finger to look up: ask `ask` for the successor of `start`, then
// set_finger(finger, ...) with the answer.
struct FingerLookup {
  int finger = 0;
  DhtId start;
  DhtNode ask;
};

class RingState {
 public:
  // Reads ring, self, successors (r) and fingers_per_round.
  explicit RingState(const ChordConfig& config);
  RingState(const RingState&) = delete;
  RingState& operator=(const RingState&) = delete;

  const Ring& ring() const { return ring_; }
  const DhtNode& self() const { return self_; }
  bool joined() const { return !successors_.empty(); }
  // Only when joined.
  const DhtNode& successor() const { return successors_.front(); }
  const std::optional<DhtNode>& predecessor() const { return predecessor_; }
  const std::vector<DhtNode>& successors() const { return successors_; }
  const std::optional<DhtNode>& finger(int i) const { return fingers_.at(static_cast<size_t>(i)); }

  // Whether this node owns `key` by what it knows: it is in (predecessor, self].
  bool owns(const DhtId& key) const;
  // Only when joined. The owner of `key` if this node knows it (itself or its
  // successor), else the closest preceding node to ask.
  Route route(const DhtId& key) const;
  // The finger or successor closest before `key`, strictly between this
  // node and `key`; none if it knows none there.
  std::optional<DhtNode> closest_preceding(const DhtId& key) const;
  // The answer to GET_STATE: the predecessor and successor list.
  StateMsg state() const;

  // Starts a ring of one.
  void create();
  // Joins are asked through `bootstrap` until one succeeds.
  void join_through(std::string bootstrap);
  // The node joins are asked through; none once joined (or never asked).
  const std::optional<std::string>& bootstrap() const { return bootstrap_; }
  // The join lookup found `successor`: joined, true; or false (noted) when
  // `successor` has this node's id at another address.
  bool join_at(const DhtNode& successor);
  // The join lookup failed: `via` answered `refusal`, or nothing at all. Only
  // the first of a run of silences is noted, the join being retried every
  // `retry_every`.
  void join_failed(const std::string& via, const std::optional<std::string>& refusal,
                   std::chrono::milliseconds retry_every);
  // Tells both neighbours that this node leaves (LEAVING); it is then out of
  // the ring, so a stabilization still due cannot bring it back.
  void leave(RequestLayer& rpc);

  // Only when joined: asks the successor for its state and pings the
  // predecessor; a ring of one takes its predecessor as its successor.
  void stabilize(RequestLayer& rpc, DhtTime now);
  // The answer to our GET_STATE from `from`: adopts a node that joined in
  // between, or refills the successor list from the successor's and
  // NOTIFYs it.
  void on_state(const std::string& from, const StateMsg& m, RequestLayer& rpc, DhtTime now);
  // NOTIFY from `n`: it becomes the predecessor if it is closer than the one
  // known. Returns the former predecessor's id when `n` now owns keys this
  // node held, those in (former, n].
  std::optional<DhtId> on_notify(const DhtNode& n);
  // LEAVING from a neighbour: it is dropped and its neighbours taken in its
  // place (ignored out of the ring). True when it was the successor:
  // stabilize at once.
  bool on_leaving(const LeavingMsg& m);
  // A node that answered nothing: dropped from every table. True (and
  // noted) when it was the successor.
  bool drop_unanswering(const std::string& address);

  // The fingers to refresh: one whose start falls before the successor, or
  // before the finger below it, is that node, and one this node can route to
  // its owner is set at once; the others are returned to be looked up, at
  // most fingers_per_round, taken in turn, skipping those `under_way`.
  std::vector<FingerLookup> fix_fingers(const std::set<int>& under_way);
  void set_finger(int i, const DhtNode& n) { fingers_.at(static_cast<size_t>(i)) = n; }

  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }
  uint64_t nodes_dropped() const { return nodes_dropped_; }

 private:
  void drop(const std::string& address);
  void set_successors(std::vector<DhtNode> list);

  Ring ring_;
  DhtNode self_;
  size_t r_;
  int fingers_per_round_;
  std::optional<DhtNode> predecessor_;
  std::vector<DhtNode> successors_;  // empty until joined
  std::vector<std::optional<DhtNode>> fingers_;
  std::optional<std::string> bootstrap_;  // while joining
  int join_failures_ = 0;                 // silences in a row; the first is noted
  int next_finger_ = 0;
  uint64_t nodes_dropped_ = 0;  // for answering nothing, or leaving
  std::vector<std::string> notes_;
};

}  // namespace shoal
