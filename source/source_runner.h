#pragma once
// SourceRunner: the broadcaster, whole, over any Transport. It signs each
// chunk it is given and publishes it through a SourceEngine; accepts viewers;
// carries out the engine's actions over its Links (control first, chunks
// through the Uplink, which follows the engine's upload_capacity()); and
// counts what it published and uploaded, and from start() on, once a second
// on the transport's clock, records its load in its history (SourceHistory).
// It holds no protocol logic of its own. `shoal source` runs it on the Asio
// transport with an ingest thread (SourceNode), the simulation on its own
// with a synthetic stream (sim::SimSource).
//
// Threading: the transport's thread. Lifetime: the transport outlives it;
// it attaches itself to the transport on construction.

#include "media/chunk_signature.h"
#include "overlay/transport/links.h"
#include "overlay/transport/transport.h"
#include "overlay/transport/uplink.h"
#include "source/source_engine.h"
#include "source/source_options.h"
#include "source/source_stats.h"

namespace shoal {

class SourceRunner : private LinkEvents {
 public:
  SourceRunner(Transport& transport, ChannelKey key, const SourceOptions& options);
  SourceRunner(const SourceRunner&) = delete;
  SourceRunner& operator=(const SourceRunner&) = delete;

  // Starts accepting viewers, and the history's clock.
  void start();
  // Signs `chunk` and publishes it.
  void publish(Chunk chunk);
  // Stops accepting and recording; says BYE to every viewer and closes.
  void stop();

  SourceStats stats() const;
  const SourceEngine& engine() const { return engine_; }

 private:
  void on_accepted(ConnId conn, const Endpoint& remote) override;
  void on_dialled(ConnId conn, const Endpoint&) override { transport_.close(conn); }
  void on_dial_failed(const Endpoint&, const DialError&) override {}
  void on_message(ConnId conn, const Message& m, size_t bytes) override;
  void on_written(ConnId conn) override { links_.written(conn); }
  void on_closed(ConnId conn, const std::string& reason) override { links_.lost(conn, reason); }

  void on_link_closed(const std::string& reason, const Links::Ended& ended);
  void run(Actions actions);
  void keep_alive();
  // What viewers were sent, those gone too.
  Traffic traffic() const;
  // Records the second just ended and arms the timer for the next.
  void record_second();
  WallTime now() const { return transport_.wall_now(); }

  Transport& transport_;
  ChannelKey key_;
  SourceEngine engine_;
  Uplink uplink_;
  Links links_;
  std::unique_ptr<Timer> keepalive_;
  bool stopped_ = false;
  SourceStats published_;                 // what it published
  Traffic closed_;                        // of viewers already gone
  std::unique_ptr<Timer> history_timer_;  // at the end of each second
  MonoTime started_{};
  SourceHistory history_;
};

}  // namespace shoal
