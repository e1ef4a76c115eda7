#pragma once
// ValueStore: the values a Chord node keeps, as their owner or as a replica,
// and their moves between nodes (sans IO: the caller gives the time).
//
// Values are peer contacts under a key, each with an expiry; storing a value
// again keeps the later expiry. A new key past max_keys, or a new value past
// max_values_per_key under its key, is dropped. A key holds at most
// max_values_per_host contacts of one host (a value that parses as
// "host:port"; the host is the putter's word, not the sender's IP): a new one
// from a full host takes the place of that host's value stored least recently,
// so one viewer cannot fill a channel's list with fake ports. That holds for
// every STORE, replicas and handoffs too: any node may send one, and a copy of
// what the owner kept fits under the same cap. The owner copies a put to its
// successors at once, and all it owns every replicate interval, so an
// abrupt departure loses nothing; keys whose owner changes (a predecessor
// joins, a node leaves) are handed off to the new owner. Both ends count
// those keys (keys_handed_off, keys_taken_over).
//
// What it sends (STORE, in batches of kMaxStoreEntries) goes through the
// RequestLayer it is given; the successors are the ring's (RingState).

#include <map>
#include <span>
#include <string>
#include <vector>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/request_layer.h"

namespace shoal {

class ValueStore {
 public:
  // Reads ring, self, max_keys, max_values_per_key and max_values_per_host.
  explicit ValueStore(const ChordConfig& config);
  ValueStore(const ValueStore&) = delete;
  ValueStore& operator=(const ValueStore&) = delete;

  // Keeps `e` for its time to live from `now`; may replace the value of the
  // same host stored least recently (above).
  void store(const DhtEntry& e, DhtTime now);
  // The live values under `key`, freshest first, as many as one answer
  // holds (kMaxValues, and half a datagram however long they are).
  std::vector<std::string> values(const DhtId& key, DhtTime now) const;
  // The live values under the keys in (from, to], each with the whole
  // seconds it has left (rounded up).
  std::vector<DhtEntry> entries_in(const DhtId& from, const DhtId& to, DhtTime now) const;
  // Forgets the values past their time, and the keys left with none.
  void expire(DhtTime now);
  size_t key_count() const { return store_.size(); }

  // A STORE received: a put is kept and copied to `successors`, a replica or
  // a handoff is kept (a handoff counted as taken over). Returns the answer.
  StoredMsg on_store(const StoreMsg& m, std::span<const DhtNode> successors, RequestLayer& rpc,
                     DhtTime now);
  // Values put here, their owner: kept, and copied to `successors` but this
  // node.
  void accept_put(const std::vector<DhtEntry>& entries, std::span<const DhtNode> successors,
                  RequestLayer& rpc, DhtTime now);
  // Copies what this node owns, the values in (from, self], to `successors`.
  void replicate(const DhtId& from, std::span<const DhtNode> successors, RequestLayer& rpc,
                 DhtTime now);
  // Sends the values in (from, to] to their new owner at `address`.
  void hand_off(const DhtId& from, const DhtId& to, const std::string& address, RequestLayer& rpc,
                DhtTime now);

  uint64_t keys_handed_off() const { return keys_handed_off_; }
  uint64_t keys_taken_over() const { return keys_taken_over_; }

 private:
  struct Stored {
    DhtTime expires;
    DhtTime stored;    // last put or copied here
    std::string host;  // empty for a value that is no contact: no cap by host
  };
  using Values = std::map<std::string, Stored>;

  // Makes room under a key for a new value of `host`.
  void evict_oldest_of(Values& values, const std::string& host);
  void send_entries(const std::string& to, const std::vector<DhtEntry>& entries, StoreKind kind,
                    RequestLayer& rpc, DhtTime now);

  Ring ring_;
  DhtNode self_;
  size_t max_keys_;
  size_t max_values_per_key_;
  size_t max_values_per_host_;
  std::map<DhtId, Values> store_;
  uint64_t keys_handed_off_ = 0;  // values sent to a new owner
  uint64_t keys_taken_over_ = 0;  // values received from a former owner
};

}  // namespace shoal
