#pragma once
// RequestLayer: the datagrams a Chord node sends, and the requests it waits
// on (sans IO: the caller gives the time).
//
// A request goes out under a fresh random txid, which no forger can guess,
// and waits `timeout` for its answer. Unanswered, it goes again under a new
// txid (so a late answer to the earlier try is unknown), `retries` times;
// then it has timed out. An answer is its request's only if it repeats the
// txid, comes from where the request went and is the kind of answer the
// request asks for (FoundMsg::Question and so on; DHT_ERROR answers any);
// any other is dropped and counted as an unknown reply.
//
// What is sent waits in an outbox until take(). One seeded RNG draws every
// txid, so a node's datagrams are the same from run to run.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/dht_messages.h"

namespace shoal {

// A datagram to send.
struct Outgoing {
  std::string to;  // "host:port"
  Datagram datagram;
};
using Outgoings = std::vector<Outgoing>;

// The lookup a request serves (see Lookups).
enum class OpId : uint64_t {};

// A request awaiting its answer.
struct Pending {
  std::string to;
  DhtMessage request;
  DhtTime deadline;
  int retries_left = 0;
  std::optional<OpId> op;  // none: the ring's own upkeep
};

// Whether `m` is an answer rather than a question: it answers a question
// between nodes, or is a DHT_ERROR. A client's answer (LOOKUP_RESULT...) is
// not: no node asks for one.
bool is_answer(const DhtMessage& m);

class RequestLayer {
 public:
  RequestLayer(std::chrono::milliseconds timeout, int retries, uint64_t seed);
  RequestLayer(const RequestLayer&) = delete;
  RequestLayer& operator=(const RequestLayer&) = delete;

  // A datagram that expects no answer (NOTIFY, LEAVING), under a random txid.
  void send(const std::string& to, DhtMessage msg);
  // The answer to `txid`, a question `to` asked.
  void reply(const std::string& to, uint64_t txid, DhtMessage msg);
  // A request, awaited until `now` + timeout; its answer or its timeout
  // comes back with `op`.
  void request(const std::string& to, DhtMessage msg, DhtTime now,
               std::optional<OpId> op = std::nullopt);

  // The request the answer `d` from `from` answers, no longer awaited; or
  // nullopt, counted as an unknown reply, if it answers none.
  std::optional<Pending> match(const std::string& from, const Datagram& d);
  // Counts an answer no node asks for (a client's answer sent to a node).
  void drop_unknown_reply() { ++unknown_replies_; }

  // The requests whose deadline has passed at `now`, no longer awaited, in
  // txid order. Hand each to retry() in turn.
  std::vector<Pending> take_overdue(DhtTime now);
  // Counts `p` as a timeout and, if it has a retry left, sends it again
  // under a new txid: true. False: it has failed for good.
  bool retry(const Pending& p, DhtTime now);
  // The earliest deadline of the requests awaited, if any.
  std::optional<DhtTime> next_deadline() const;

  Outgoings take() { return std::exchange(out_, {}); }

  uint64_t datagrams_out() const { return datagrams_out_; }
  uint64_t unknown_replies() const { return unknown_replies_; }
  uint64_t timeouts() const { return timeouts_; }

 private:
  void send_under(const std::string& to, DhtMessage msg, uint64_t txid);
  void send_pending(Pending p);

  std::chrono::milliseconds timeout_;
  int retries_;
  std::mt19937_64 rng_;
  std::map<uint64_t, Pending> pending_;  // by txid
  Outgoings out_;
  uint64_t datagrams_out_ = 0;
  uint64_t unknown_replies_ = 0;
  uint64_t timeouts_ = 0;  // tries that got no answer
};

}  // namespace shoal
