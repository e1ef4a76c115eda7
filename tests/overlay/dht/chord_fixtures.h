#pragma once
// Fixtures for the tests of a Chord node's parts: the Chord paper's 6-bit
// ring, nodes named by their id ("node:14" is node 14), and a fake clock
// that starts at kStart.

#include <string>
#include <vector>

#include "overlay/dht/chord_config.h"
#include "overlay/dht/dht_codec.h"
#include "overlay/dht/request_layer.h"
#include "overlay/dht/ring_state.h"

namespace shoal {

inline const DhtTime kStart{std::chrono::hours(1)};

inline DhtId key(uint64_t k) { return DhtId(Uint160(k)); }
inline DhtNode node(uint64_t id) { return {key(id), "node:" + std::to_string(id)}; }
// Node `id`'s settings on the 6-bit ring, with r = 3.
inline ChordConfig config(uint64_t id) { return {.ring = *Ring::make(6), .self = node(id)}; }

// What was sent, one "TYPE>to" a datagram, e.g. "GET_STATE>node:14".
inline std::vector<std::string> sent(const Outgoings& out) {
  std::vector<std::string> lines;
  for (const Outgoing& o : out) lines.push_back(dht_message_name(o.datagram.msg) + (">" + o.to));
  return lines;
}

// Node 8 of the paper's ring, joined: its successors 14, 21 and 32 learnt
// from 14's state, no predecessor yet, no fingers; requests are not retried.
struct JoinedNode8 {
  RingState ring{config(8)};
  RequestLayer rpc{std::chrono::milliseconds(400), 0, 1};

  JoinedNode8() {
    ring.join_at(node(14));
    ring.on_state("node:14", StateMsg{node(8), {node(21), node(32), node(38)}}, rpc, kStart);
    rpc.take();
    ring.take_notes();
  }
};

}  // namespace shoal
