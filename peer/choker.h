#pragma once
// Tit-for-tat unchoking: whom this peer uploads to.
//
// Every `rechoke_interval` (10 s) the `regular_slots` (4) neighbours that
// sent us the most in the last interval are unchoked; between
// those moments nobody loses a slot, and a free slot is filled at once. Every `optimistic_interval`
// (30 s) one more, chosen at random among the choked interested neighbours, is unchoked
// optimistically, so newcomers get a chance to reciprocate and climb into the regular slots.
//
// Live video cannot wait for an optimistic slot to come round: neighbours
// that trade with each other would form closed cliques, and a chunk would
// reach the other cliques only through the source. So an uplink with capacity
// to spare opens one more slot every `spare_interval` (up to
// `max_spare_slots`) for the next neighbour in the ranking, and an uplink
// that turns requests away closes the newest again, as libtorrent's
// rate-based choker sizes its slots to the uplink. Spare slots go only to
// neighbours that send to us or could not have yet: a free rider gets the
// optimistic slot and any regular slot the senders leave, so when upload is
// scarce it is the one that goes short. A neighbour that holds no chunk yet
// (a viewer waiting for its first, with nothing to reciprocate with) gets a
// spare slot at once unless the uplink is saturated. Spare slots are
// re-ranked with the regular ones at each rechoke. Sans IO: the caller
// passes rates, the state of its uplink and the time.

#include <chrono>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <vector>

#include "media/chunk.h"
#include "overlay/wire/ids.h"

namespace shoal {

struct ChokerConfig {
  int regular_slots = 4;
  std::chrono::milliseconds rechoke_interval{10'000};
  std::chrono::milliseconds optimistic_interval{30'000};
  int max_spare_slots = 8;
  std::chrono::milliseconds spare_interval{1000};
};

// How the caller's uplink keeps up with what it is asked for.
enum class UplinkLoad {
  spare,      // it could upload more: open a slot
  busy,       // keep the slots as they are
  saturated,  // it turns requests away: close a spare slot
};

// What the choker knows of a neighbour.
struct NeighbourRate {
  ConnId conn;
  double bytes_per_second = 0;  // what it sent us lately
  bool interested = false;      // it wants something we have
  bool starting = false;        // it holds no chunk yet
  bool newcomer = false;        // connected too lately to have reciprocated
};

// The `slots` neighbours with the highest rates, best first, among those
// interested or sending to us; ties broken by connection id so the ranking is
// deterministic. One that sends to us keeps its place while it holds all our
// newest chunks: in a live stream it wants the next within a second, and a
// free rider, always interested, would otherwise take its slot until the
// next rechoke.
std::vector<ConnId> rank_by_rate(std::span<const NeighbourRate> neighbours, int slots);

// Whether the neighbour may have a spare slot: it sent us something lately,
// or it is starting or a newcomer.
bool deserves_spare_slot(const NeighbourRate& n);

class Choker {
 public:
  struct Change {
    std::vector<ConnId> unchoke;
    std::vector<ConnId> choke;
  };

  Choker(ChokerConfig config, uint64_t seed) : config_(config), rng_(seed) {}

  // Re-evaluates when an interval has passed; returns who changes state.
  Change tick(WallTime now, std::span<const NeighbourRate> neighbours,
              UplinkLoad uplink = UplinkLoad::busy);
  void forget(ConnId conn);

  bool unchoked(ConnId conn) const { return unchoked_.contains(conn); }
  std::optional<ConnId> optimistic() const { return optimistic_; }
  size_t spare_slots() const { return spare_.size(); }

 private:
  ChokerConfig config_;
  std::mt19937_64 rng_;
  std::set<ConnId> regular_;
  std::vector<ConnId> spare_;  // in the order opened
  std::optional<ConnId> optimistic_;
  std::set<ConnId> unchoked_;  // regular_ + spare_ + optimistic_
  WallTime next_rechoke_{};
  WallTime next_optimistic_{};
  WallTime next_spare_{};
};

}  // namespace shoal
