#pragma once
// ChordNode: one node of a Chord ring (DESIGN §5), sans IO. It is fed
// datagrams with their sender's address and the current time, and returns
// the datagrams to send; tick() drives its timers.
//
// A key belongs to its successor: the first node whose id is equal to or
// follows it clockwise. The node is four parts, wired here:
// - RequestLayer (request_layer.h): txids, requests awaiting answers, their
//   retries and timeouts, and matching each answer to its request;
// - RingState (ring_state.h): predecessor, successor list and fingers, kept
//   right by stabilization every `stabilize_interval` and finger lookups
//   every `fix_fingers_interval`; a node that answers nothing is dropped;
// - Lookups (lookups.h): iterative lookups, for clients and for the ring;
// - ValueStore (value_store.h): values under keys with a time to live,
//   copied to the r successors every `replicate_interval`, and handed to
//   their new owner when a node joins or leaves.
//
// Clients (the `shoal dht` command, sources and peers) send LOOKUP, PUT, GET
// and STATS to any node, which does the work and answers. STATS is answered
// with the text the node's runner makes of it (`StatsText`): presentation is
// the tool's, not the engine's.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/dht_id.h"
#include "overlay/dht/dht_messages.h"
#include "overlay/dht/lookups.h"
#include "overlay/dht/request_layer.h"
#include "overlay/dht/ring_state.h"
#include "overlay/dht/value_store.h"

namespace shoal {

struct DhtStats {
  uint64_t datagrams_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t malformed = 0;        // undecodable, truncated or over a size limit
  uint64_t oversized = 0;        // longer than kMaxDatagram
  uint64_t unknown_replies = 0;  // unknown txid, wrong sender or wrong type
  uint64_t timeouts = 0;         // requests that got no answer
  uint64_t nodes_dropped = 0;    // for answering nothing, or leaving
  uint64_t lookups = 0;          // finished, for clients
  uint64_t lookup_hops = 0;      // their hops, in all
  uint64_t keys_handed_off = 0;  // values sent to a new owner (join of a predecessor, leave)
  uint64_t keys_taken_over = 0;  // values received from a former owner
  uint64_t refused = 0;          // client requests refused (busy, full, bad key)
};

class ChordNode;
// What a STATS question is answered with (STATS_RESULT's text), made from
// the node as it is; none: STATS is refused.
using StatsText = std::function<std::string(const ChordNode&)>;

class ChordNode {
 public:
  explicit ChordNode(ChordConfig config, StatsText stats_text = {});
  ChordNode(const ChordNode&) = delete;
  ChordNode& operator=(const ChordNode&) = delete;

  // Starts a ring of one.
  void create(DhtTime now);
  // Joins the ring `bootstrap` ("host:port") belongs to; retried at every
  // stabilize round until an answer comes.
  Outgoings join(const std::string& bootstrap, DhtTime now);
  // Hands this node's keys to its successor and tells both neighbours; the
  // node is then out of the ring (it answers lookups no more).
  Outgoings leave(DhtTime now);

  Outgoings on_datagram(const std::string& from, const Datagram& d, DhtTime now);
  // A datagram that could not be decoded (or was too long) was dropped.
  void on_bad_datagram(bool oversized);
  Outgoings tick(DhtTime now);
  DhtTime next_wakeup(DhtTime now) const;

  const DhtNode& self() const { return ring_.self(); }
  const Ring& ring() const { return ring_.ring(); }
  bool joined() const { return ring_.joined(); }
  const std::optional<DhtNode>& predecessor() const { return ring_.predecessor(); }
  const std::vector<DhtNode>& successors() const { return ring_.successors(); }
  const std::optional<DhtNode>& finger(int i) const { return ring_.finger(i); }
  // Whether this node owns `key` by what it knows: it is in (predecessor, self].
  bool owns(const DhtId& key) const { return ring_.owns(key); }
  // Live values under `key` held here (owned or replicas).
  std::vector<std::string> values(const DhtId& key, DhtTime now) const {
    return store_.values(key, now);
  }
  size_t key_count() const { return store_.key_count(); }
  DhtStats stats() const;
  // Lines worth logging since the last call (a failed join, a dead successor).
  std::vector<std::string> take_notes() { return ring_.take_notes(); }

 private:
  void ask_to_join(DhtTime now);
  void on_request(const std::string& from, uint64_t txid, const DhtMessage& m, DhtTime now);
  void on_reply(const Pending& p, const DhtMessage& m, DhtTime now);
  void on_timeout(const Pending& p, DhtTime now);
  // Does what a lookup's end leaves to the node as a whole.
  void follow(FollowUp f, DhtTime now);
  void stabilize(DhtTime now);
  void replicate(DhtTime now);

  ChordConfig config_;
  StatsText stats_text_;
  RequestLayer rpc_;
  RingState ring_;
  ValueStore store_;
  Lookups lookups_;
  DhtTime next_stabilize_{}, next_fix_{}, next_replicate_{};
  uint64_t datagrams_in_ = 0;
  uint64_t malformed_ = 0;
  uint64_t oversized_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace shoal
