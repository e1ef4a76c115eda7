#pragma once
// SimSource: source/source_node.h in the simulation. It publishes a
// synthetic stream through a real SourceEngine, signed with a real
// ChannelKey, serves viewers over SimConnections sharing one SimUplink, and
// announces itself to the tracker, as `shoal source --input testsrc` does.
//
// The stream: one chunk every `chunk` of about `bytes_per_second` x its
// duration (varying by up to +-size_jitter, whole 188-byte TS packets), each
// random-access (the test pattern has one GOP per chunk). A chunk is
// published when it ends and was captured `encode_delay` before it began.
// A relative upload limit follows the stream's rate once a second, as
// source_command.cpp does.
//
// Lifetime: the EventQueue, SimNetwork and SimTracker outlive it; so must it
// every event it schedules (the Simulation keeps it to the end).

#include <map>
#include <memory>
#include <random>

#include "media/chunk_signature.h"
#include "overlay/limits/upload_limit.h"
#include "sim/sim_network.h"
#include "sim/sim_tracker.h"
#include "sim/sim_uplink.h"
#include "source/source_engine.h"
#include "source/source_node.h"

namespace shoal::sim {

struct StreamShape {
  std::chrono::milliseconds chunk{500};
  double bytes_per_second = 160'000;  // 1.28 Mbit/s, as the test pattern
  double size_jitter = 0.1;
  std::chrono::milliseconds encode_delay{40};
};

class SimSource {
 public:
  SimSource(EventQueue& events, SimNetwork& network, SimTracker& tracker, ChannelKey key,
            SourceConfig config, Endpoint at, UploadLimit limit, StreamShape stream, uint64_t seed);
  SimSource(const SimSource&) = delete;
  SimSource& operator=(const SimSource&) = delete;

  // Listens, announces, and publishes the first chunk one chunk from now.
  void start();
  // Stops publishing, says BYE to every viewer and closes.
  void stop();

  const Endpoint& address() const { return at_; }
  SourceStats stats() const;

 private:
  void publish_next();
  Chunk make_chunk();
  void every_second();
  void on_accepted(std::shared_ptr<SimConnection> conn);
  void on_message(ConnId id, const Message& m);
  void on_closed(ConnId id);
  void run(Actions actions);

  EventQueue& events_;
  SimNetwork& network_;
  SimTracker& tracker_;
  ChannelKey key_;
  SourceConfig config_;
  SourceEngine engine_;
  Endpoint at_;
  UploadLimit limit_;
  StreamShape stream_;
  std::mt19937_64 rng_;
  SimUplink uplink_;
  std::map<ConnId, std::shared_ptr<SimConnection>> viewers_;
  SourceStats closed_;  // traffic of connections already gone
  SourceStats published_;
  uint64_t next_conn_ = 1;
  uint64_t next_seq_ = 0;
  bool stopped_ = false;
};

}  // namespace shoal::sim
