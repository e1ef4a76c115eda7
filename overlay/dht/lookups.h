#pragma once
// Lookups: the iterative lookups under way at a Chord node (sans IO: the
// caller gives the time), for its clients (LOOKUP, PUT, GET) and for its
// ring (a finger, a join).
//
// A lookup asks the closest preceding node this node knows
// (RingState::route), which answers FOUND with the key's owner or a closer
// node to ask, and so on; each node asked is a hop, and a lookup that has not
// found the owner after kMaxHops fails rather than loop in a broken ring. A
// node that does not answer is routed around. Once the owner is found, a
// LOOKUP is answered; a PUT or a GET goes on to the owner (STORE, FETCH) and
// is answered with what the owner says. A failed client lookup is answered
// DHT_ERROR. What follows a join, a finger, or a put or get this node owns
// is the caller's: those come back as a FollowUp.
//
// Requests go through the RequestLayer it is given, tagged with the OpId of
// the lookup they serve; their answers and timeouts come back here by it.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/request_layer.h"
#include "overlay/dht/ring_state.h"

namespace shoal {

// The host of a client's "host:port" ("" if it is not one): told back to it
// in GET_RESULT, as where the DHT sees it.
std::string host_of(const std::string& address);

enum class OpKind { lookup, put, get, finger, join };

// A lookup, and what to do with its answer.
struct Op {
  OpKind kind = OpKind::lookup;
  DhtId key;
  int finger = 0;
  uint32_t hops = 0;
  std::string client;  // who asked, for lookup, put and get ("host:port")
  uint64_t client_txid = 0;
  std::string value;  // put
  uint32_t ttl_s = 0;
  std::optional<DhtNode> owner;
};

// A lookup found its key's owner (op.owner), and what follows is the
// caller's: a join, a finger, or a put or get whose owner is this node.
struct Found {
  Op op;
};
// A join failed: `via` answered `refusal`, or nothing at all.
struct JoinFailed {
  std::string via;
  std::optional<std::string> refusal;
};
using FollowUp = std::variant<std::monostate, Found, JoinFailed>;

class Lookups {
 public:
  // Reads self and max_operations.
  explicit Lookups(const ChordConfig& config);
  Lookups(const Lookups&) = delete;
  Lookups& operator=(const Lookups&) = delete;

  // Whether max_operations are under way: a client's is then refused.
  bool busy() const { return ops_.size() >= max_operations_; }
  bool under_way(OpId id) const { return ops_.contains(id); }
  bool joining() const;
  std::set<int> fingers_under_way() const;

  // Starts `op` (only when joined), routed by what `ring` knows; it may be
  // found at once.
  FollowUp start(Op op, const RingState& ring, RequestLayer& rpc, DhtTime now);
  // Starts `op` by asking `first`: a join through its bootstrap, or a finger
  // whose first hop RingState::fix_fingers chose.
  void start_at(Op op, const std::string& first, RequestLayer& rpc, DhtTime now);

  // The answer `m` from `from` to a request of lookup `id`.
  FollowUp on_reply(OpId id, const std::string& from, const DhtMessage& m, RequestLayer& rpc,
                    DhtTime now);
  // The request of lookup `id` to `to` got no answer (and `to` has been
  // dropped from `ring`): routes around it, or the lookup fails.
  FollowUp on_timeout(OpId id, const std::string& to, const RingState& ring, RequestLayer& rpc,
                      DhtTime now);

  // Client lookups found, and their hops in all.
  uint64_t lookups() const { return lookups_; }
  uint64_t lookup_hops() const { return lookup_hops_; }

 private:
  FollowUp step(OpId id, const RingState& ring, RequestLayer& rpc, DhtTime now);
  // Asks `to` for the op's key: one more hop.
  void hop(OpId id, const std::string& to, RequestLayer& rpc, DhtTime now);
  FollowUp finish(OpId id, RequestLayer& rpc, DhtTime now);
  void fail(OpId id, const std::string& reason, RequestLayer& rpc);
  OpId add(Op op);

  DhtNode self_;
  size_t max_operations_;
  std::map<OpId, Op> ops_;
  uint64_t next_op_ = 1;
  uint64_t lookups_ = 0;
  uint64_t lookup_hops_ = 0;
};

}  // namespace shoal
