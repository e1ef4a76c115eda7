#pragma once
// A Chord node's settings, and its time. ChordNode and each of its parts
// (RingState, Lookups, ValueStore) read theirs from one ChordConfig.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "overlay/dht/dht_id.h"
#include "overlay/dht/dht_messages.h"

namespace shoal {

// The engine's time: given by the caller, never read from a clock here.
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
  // Contacts ("host:port") of one host under a key. The source takes at most
  // 8 connections per address, so more viewers there could not watch anyway.
  size_t max_values_per_host = 8;
  uint64_t seed = 1;
};

}  // namespace shoal
