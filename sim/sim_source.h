#pragma once
// SimSource: `shoal source --input testsrc` in the simulation: the
// SourceRunner on a SimTransport, fed a synthetic stream, and announced to
// the tracker.
//
// The stream: one chunk every `chunk` of about `bytes_per_second` x its
// duration (varying by up to +-size_jitter, whole 188-byte TS packets), each
// random-access (the test pattern has one GOP per chunk). A chunk is
// published when it ends and was captured `encode_delay` before it began.
//
// Lifetime: the EventQueue, SimNetwork and SimTracker outlive it; so must it
// every event it schedules (the Simulation keeps it to the end).

#include <random>

#include "sim/sim_tracker.h"
#include "sim/sim_transport.h"
#include "source/source_runner.h"

namespace shoal::sim {

struct StreamShape {
  std::chrono::milliseconds chunk{500};
  double bytes_per_second = 160'000;  // 1.28 Mbit/s, as the test pattern
  double size_jitter = 0.1;
  std::chrono::milliseconds encode_delay{40};
};

class SimSource {
 public:
  SimSource(SimNetwork& network, SimTracker& tracker, ChannelKey key, const SourceOptions& options,
            Endpoint at, StreamShape stream, uint64_t seed);
  SimSource(const SimSource&) = delete;
  SimSource& operator=(const SimSource&) = delete;

  // Listens, announces, and publishes the first chunk one chunk from now.
  void start();
  // Stops publishing, says BYE to every viewer and closes.
  void stop();

  const Endpoint& address() const { return transport_.address(); }
  SourceStats stats() const { return runner_.stats(); }

 private:
  void publish_next();
  Chunk make_chunk();

  SimTracker& tracker_;
  EventQueue& events_;
  ChannelId channel_;
  PeerId self_;
  SimTransport transport_;
  SourceRunner runner_;
  StreamShape stream_;
  std::mt19937_64 rng_;
  uint64_t next_seq_ = 0;
  bool stopped_ = false;
};

}  // namespace shoal::sim
