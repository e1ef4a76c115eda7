#include "peer/uploader.h"

#include <algorithm>
#include <bit>

namespace shoal {

namespace {

// What a peer with no upload limit reports as spare: a gigabit.
constexpr uint64_t kUnlimitedSpare = 125'000'000;
// An uplink that sent less than this share of its capacity lately has room
// for another unchoked neighbour.
constexpr double kSpareShare = 0.8;
// One that sent at least this share has none: newcomers wait for a slot.
constexpr double kSaturatedShare = 0.95;
// A chunk the source pushed to this peer alone goes out first to this many
// requesters, who start its spread through the swarm.
constexpr int kSeedCopies = 2;

}  // namespace

Uploader::Uploader(UploaderConfig config)
    : config_(config), queue_(config.max_age, config.pipe), capacity_(config.upload) {}

bool Uploader::request(ConnId from, const RequestMsg& r, bool unchoked, bool held,
                       double chunk_bytes, WallTime now) {
  const auto wait = r.wait();
  const auto seed = seeds_.find(r.seq);
  const Priority priority = seed != seeds_.end() ? Priority::seed : Priority::common;
  if (r.stripes != 0) chunk_bytes *= static_cast<double>(std::popcount(r.stripes)) / kStripes;
  // A choked requester sent it before our CHOKE reached it.
  if (!unchoked || !held || busy(wait, priority, chunk_bytes, r.stripes != 0)) return false;
  queue_.push(from, r.seq, now, wait, priority, r.stripes, chunk_bytes);
  if (seed != seeds_.end() && --seed->second == 0) seeds_.erase(seed);
  return true;
}

void Uploader::seeded(ChunkSeq seq, ChunkSeq window_base) {
  seeds_.erase(seeds_.begin(), seeds_.lower_bound(window_base));
  seeds_[seq] = kSeedCopies;
}

// A common chunk is better asked of a less busy holder; a seed has none, so
// its requester may wait as long as it said.
bool Uploader::busy(std::optional<std::chrono::milliseconds> wait, Priority priority,
                    double chunk_bytes, bool partial) const {
  const auto limit = wait.value_or(config_.max_wait);
  const std::optional<double> left = request_capacity();
  // What pushes leave of the uplink must carry it, behind what is queued,
  // within the requester's wait: a request accepted is answered in time.
  if (left && *left > 0) {
    const auto own = std::chrono::milliseconds(static_cast<int64_t>(1000 * chunk_bytes / *left));
    if (own > limit || queue_.would_wait(limit - own, chunk_bytes, left, priority)) return true;
  }
  // A seed has no other holder, and a repair of the stripes a tree did not
  // bring is small and late: their requesters may wait as long as they said.
  const bool patient = priority == Priority::seed || partial;
  return queue_.would_wait(patient ? limit : std::min(config_.max_wait, limit), chunk_bytes, left,
                           priority);
}

// Pushes take what they take; requests always keep a share of the uplink.
std::optional<double> Uploader::request_capacity() const {
  constexpr double kRequestShare = 0.2;
  const std::optional<double> all = capacity();
  if (!all || *all <= 0) return all;
  return std::max(*all - reserved_, kRequestShare * *all);
}

UplinkLoad Uploader::load(WallTime now) {
  if (!capacity()) return UplinkLoad::spare;
  if (*capacity() <= 0) return UplinkLoad::saturated;
  const double used = uploaded_.rate(now) / *capacity();
  if (used >= kSaturatedShare) return UplinkLoad::saturated;
  if (used < kSpareShare) return UplinkLoad::spare;
  return UplinkLoad::busy;
}

uint64_t Uploader::spare(WallTime now) {
  if (!capacity()) return kUnlimitedSpare;
  const double asked = uploaded_.rate(now);
  const double all = *capacity() - asked - pushed_.rate(now);
  return static_cast<uint64_t>(std::max(0.0, std::min(*request_capacity() - asked, all)));
}

}  // namespace shoal
