#pragma once
// ChordNode: one node of a Chord ring (DESIGN §5), sans IO. It is fed
// datagrams with their sender's address and the current time, and returns
// the datagrams to send; tick() drives its timers.
//
// Each node knows its predecessor, a list of `successors` (r, at least 2)
// and fingers to the successors of n + 2^i. A key belongs to its successor:
// the first node whose id is equal to or follows it clockwise. Lookups are
// iterative: the node asks the closest preceding node it knows, which
// answers with the owner or a closer node, and so on; each node asked is a
// hop. Every `stabilize_interval` a node asks its successor for its
// predecessor and successor list (and NOTIFYs it), and pings its
// predecessor; a node that answers no request (`rpc_timeout`, retried
// `rpc_retries` times) is dropped from every table, so the next successor
// takes the place of a dead one. Fingers are refreshed every
// `fix_fingers_interval`.
//
// Values are peer contacts under a key, each with a time to live; a re-put
// refreshes it. The owner keeps them and copies them to its r successors, at
// once and every `replicate_interval`, so an abrupt departure loses nothing.
// A node that takes a new predecessor hands it the keys it now owns; a node
// that leaves hands its keys to its successor. Both count the keys moved.
//
// Clients (the `shoal dht` command, sources and peers) send LOOKUP, PUT, GET
// and STATS to any node, which does the work and answers.

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "overlay/dht/dht_id.h"
#include "overlay/dht/dht_messages.h"

namespace shoal {

using DhtClock = std::chrono::steady_clock;
using DhtTime = DhtClock::time_point;

struct ChordConfig {
  Ring ring;
  DhtNode self;
  size_t successors = 3;  // r
  std::chrono::milliseconds stabilize_interval{500};
  std::chrono::milliseconds fix_fingers_interval{1000};
  std::chrono::milliseconds replicate_interval{5000};
  std::chrono::milliseconds rpc_timeout{400};
  int rpc_retries = 1;
  int fingers_per_round = 8;     // finger lookups started per fix_fingers round, at most
  size_t max_operations = 1024;  // client requests under way; more are refused
  size_t max_keys = 10'000;
  size_t max_values_per_key = 256;
  uint64_t seed = 1;
};

struct DhtStats {
  uint64_t datagrams_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t malformed = 0;        // undecodable, truncated or over a size limit
  uint64_t oversized = 0;        // longer than kMaxDatagram
  uint64_t unknown_replies = 0;  // unknown txid, wrong sender or wrong type
  uint64_t timeouts = 0;         // requests that got no answer
  uint64_t nodes_dropped = 0;    // for answering nothing
  uint64_t lookups = 0;          // finished, for clients
  uint64_t lookup_hops = 0;      // their hops, in all
  uint64_t keys_handed_off = 0;  // values sent to a new owner (join of a predecessor, leave)
  uint64_t keys_taken_over = 0;  // values received from a former owner
  uint64_t refused = 0;          // client requests refused (busy, full, bad key)
};

// A datagram to send.
struct Outgoing {
  std::string to;  // "host:port"
  Datagram datagram;
};
using Outgoings = std::vector<Outgoing>;

class ChordNode {
 public:
  explicit ChordNode(ChordConfig config);
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

  const DhtNode& self() const { return config_.self; }
  const Ring& ring() const { return config_.ring; }
  bool joined() const { return !successors_.empty(); }
  const std::optional<DhtNode>& predecessor() const { return predecessor_; }
  const std::vector<DhtNode>& successors() const { return successors_; }
  const std::optional<DhtNode>& finger(int i) const { return fingers_.at(static_cast<size_t>(i)); }
  // Whether this node owns `key` by what it knows: it is in (predecessor, self].
  bool owns(const DhtId& key) const;
  // Live values under `key` held here (owned or replicas).
  std::vector<std::string> values(const DhtId& key, DhtTime now) const;
  size_t key_count() const { return store_.size(); }
  const DhtStats& stats() const { return stats_; }
  std::string stats_json() const;
  // Lines worth logging since the last call (a failed join, a dead successor).
  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }

 private:
  enum class OpKind { lookup, put, get, finger, join };
  // A lookup under way, and what to do with its answer.
  struct Op {
    OpKind kind = OpKind::lookup;
    DhtId key;
    int finger = 0;
    uint32_t hops = 0;
    std::string client;  // who asked, for lookup, put and get
    uint64_t client_txid = 0;
    std::string value;  // put
    uint32_t ttl_s = 0;
    std::optional<DhtNode> owner;
  };
  // A request awaiting its reply.
  struct Pending {
    std::string to;
    DhtMessage request;
    DhtTime deadline;
    int retries_left = 0;
    uint64_t op = 0;  // the Op it serves, 0 if none
  };

  void send(const std::string& to, DhtMessage msg, uint64_t txid);
  void request(const std::string& to, DhtMessage msg, DhtTime now, uint64_t op = 0);
  void send_pending(Pending p);
  void ask_to_join(DhtTime now);
  void reply(const std::string& to, uint64_t txid, DhtMessage msg) {
    send(to, std::move(msg), txid);
  }
  void on_request(const std::string& from, uint64_t txid, const DhtMessage& m, DhtTime now);
  void on_reply(const Pending& p, const DhtMessage& m, DhtTime now);
  void on_timeout(const Pending& p, DhtTime now);
  void on_state(const std::string& from, const StateMsg& m, DhtTime now);
  void on_notify(const DhtNode& n, DhtTime now);
  void on_leaving(const LeavingMsg& m, DhtTime now);

  void start_op(Op op, DhtTime now);
  void step(uint64_t id, DhtTime now);
  // Asks `to` for the op's key: one more hop.
  void hop(uint64_t id, const std::string& to, DhtTime now);
  void finish(uint64_t id, DhtTime now);
  void fail_op(uint64_t id, const std::string& reason);
  // Where a lookup for `key` stands here: the owner if known, else the
  // closest preceding node to ask.
  struct Route {
    bool done = false;
    DhtNode node;
  };
  Route route(const DhtId& key) const;
  std::optional<DhtNode> closest_preceding(const DhtId& key) const;

  void stabilize(DhtTime now);
  void fix_fingers(DhtTime now);
  void replicate(DhtTime now);
  void expire(DhtTime now);
  void drop_node(const std::string& address);
  void set_successors(std::vector<DhtNode> list);
  void store(const DhtEntry& e, DhtTime now);
  void accept_put(const std::vector<DhtEntry>& entries, DhtTime now);
  void send_entries(const std::string& to, const std::vector<DhtEntry>& entries, StoreKind kind,
                    DhtTime now);
  std::vector<DhtEntry> entries_in(const DhtId& from, const DhtId& to, DhtTime now) const;
  const DhtNode& successor() const { return successors_.front(); }

  ChordConfig config_;
  std::mt19937_64 rng_;
  std::optional<DhtNode> predecessor_;
  std::vector<DhtNode> successors_;  // empty until joined
  std::vector<std::optional<DhtNode>> fingers_;
  std::optional<std::string> bootstrap_;                   // while joining
  std::map<DhtId, std::map<std::string, DhtTime>> store_;  // key -> value -> expiry
  std::map<uint64_t, Pending> pending_;                    // by txid
  std::map<uint64_t, Op> ops_;
  uint64_t next_op_ = 1;
  int next_finger_ = 0;
  int join_failures_ = 0;  // in a row; the first is noted
  DhtTime next_stabilize_{}, next_fix_{}, next_replicate_{};
  DhtStats stats_;
  Outgoings out_;
  std::vector<std::string> notes_;
};

}  // namespace shoal
