#include "sim/sim_source.h"

#include <cmath>

namespace shoal::sim {

namespace {

constexpr size_t kTsPacket = 188;

// A uniform draw in [0, 1) that is the same on every standard library.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

SimSource::SimSource(SimNetwork& network, SimTracker& tracker, ChannelKey key,
                     const SourceOptions& options, Endpoint at, StreamShape stream, uint64_t seed)
    : tracker_(tracker),
      events_(network.events()),
      channel_(key.channel()),
      self_(options.self),
      transport_(network, std::move(at)),
      runner_(transport_, key, options),
      stream_(stream),
      rng_(seed) {}

void SimSource::start() {
  runner_.start();
  tracker_.keep_announced(
      channel_, self_, transport_.address(), [this] { return !stopped_; },
      [](std::vector<Endpoint>) {});
  events_.after(stream_.chunk, [this] { publish_next(); });
}

Chunk SimSource::make_chunk() {
  Chunk c;
  c.seq = ChunkSeq(next_seq_++);
  c.duration_ms = static_cast<uint32_t>(stream_.chunk.count());
  c.capture_time = events_.wall_now() - stream_.chunk - stream_.encode_delay;
  c.pts_us = static_cast<int64_t>(c.seq.value) * stream_.chunk.count() * 1000;
  c.flags = Chunk::kRandomAccess;
  const double mean = stream_.bytes_per_second * static_cast<double>(stream_.chunk.count()) / 1000;
  const double bytes = mean * (1 + stream_.size_jitter * (2 * unit(rng_) - 1));
  const auto packets = std::max<size_t>(1, static_cast<size_t>(std::lround(bytes / kTsPacket)));
  c.payload.assign(packets * kTsPacket, static_cast<uint8_t>(c.seq.value));
  return c;
}

void SimSource::publish_next() {
  if (stopped_) return;
  runner_.publish(make_chunk());
  events_.after(stream_.chunk, [this] { publish_next(); });
}

void SimSource::stop() {
  if (stopped_) return;
  stopped_ = true;
  runner_.stop();
}

}  // namespace shoal::sim
