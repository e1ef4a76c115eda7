#pragma once
// PeerReport: what a viewer writes on exit (`--stats-json`). Field names are
// fixed so that scripts can rely on them; a value that does not exist (no
// frame decoded, nothing due) is null.

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "overlay/transport/traffic.h"
#include "peer/engine.h"
#include "peer/hostility.h"

namespace shoal {

// What a viewer's links moved, and how much of the chunk data came from the
// source rather than from other viewers.
struct PeerTraffic {
  Traffic total;
  uint64_t from_source = 0;
  uint64_t from_peers() const { return total.chunk_in - from_source; }
  // Adds what one connection moved, as its kind counts it.
  void add(const Traffic& t, LinkKind kind) {
    total += t;
    if (kind == LinkKind::source) from_source += t.chunk_in;
  }
};

struct PeerReport {
  std::optional<int64_t> startup_ms;  // join to first decoded frame (no decoder: chunk played)
  uint64_t frames_decoded = 0;
  uint64_t chunks_due = 0;
  uint64_t chunks_on_time = 0;
  uint64_t chunks_rejected = 0;
  PeerTraffic traffic;
  std::vector<int64_t> lag_ms;      // per chunk played
  std::vector<int64_t> arrival_ms;  // per chunk stored
  std::vector<ChunkSeq> played;
  std::optional<std::string> listen;  // HOST:PORT neighbours are accepted on
  uint64_t connections_refused = 0;   // by the per-address limits
  // This machine's wall clock minus the source's, and how far that may be
  // off; null before a neighbour told the channel's clock.
  std::optional<std::chrono::milliseconds> clock_offset_ms;
  std::optional<std::chrono::milliseconds> clock_error_ms;
  // Viewers' addresses it dialled and reached, and those it could not reach
  // (behind NATs, before or despite a hole punch).
  std::set<std::string> peers_dialled;
  std::set<std::string> peer_dials_failed;
  PeerId peer_id;
  // When it began to leave, channel time (ms since the epoch); null if it
  // never did (killed, or still watching).
  std::optional<int64_t> left_ms;
  // Viewers it dropped for misbehaving (peer/offence.h).
  std::vector<OffenderDropped> offenders;
  // A hostile viewer: how, and the viewers it offended.
  std::optional<Offence> hostile;
  std::vector<Hostility::Offended> offended;

  static PeerReport from(const PlaybackStats& playback, const PeerTraffic& traffic);
  std::optional<double> continuity() const;
  nlohmann::json to_json() const;
};

// The p-th percentile (0..100) of `values`, nearest rank; nullopt if empty.
std::optional<int64_t> percentile(std::vector<int64_t> values, double p);

}  // namespace shoal
