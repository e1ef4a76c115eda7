#pragma once
// PeerRunner: one viewer, whole, over any Transport. It runs a PeerEngine:
// dials the source, then the peers the engine asks for; accepts neighbours;
// carries out the engine's actions over its Links (control first, chunks
// through the Uplink); keeps one wake-up armed at the engine's
// next_wakeup(); keeps the uplink at the engine's upload_capacity(); takes
// in the peers discovery finds; and counts what moved. It holds no protocol
// logic of its own. `shoal peer` runs it on the Asio transport (PeerNode),
// the simulation on its own (sim::SimPeer); nothing else differs.
//
// A lost or refused source is dialled again a second later, unless it sent
// a bad chunk; playback goes on meanwhile from the peers, skipping what does
// not arrive.
//
// A hostile viewer (PeerOptions::hostile) bends what its engine sends to
// other viewers and adds its own through a Hostility (peer/hostility.h).
//
// Threading: the transport's thread. Lifetime: the transport outlives it;
// it attaches itself to the transport on construction.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>

#include "overlay/transport/links.h"
#include "overlay/transport/transport.h"
#include "overlay/transport/uplink.h"
#include "peer/engine.h"
#include "peer/hostility.h"
#include "peer/peer_options.h"
#include "peer/peer_report.h"

namespace shoal {

class PeerRunner : private LinkEvents {
 public:
  using PlayFn = std::function<void(const Chunk&)>;

  // `on_play` gets each chunk as it is due (may be empty).
  PeerRunner(Transport& transport, const PeerOptions& options, PlayFn on_play);
  PeerRunner(const PeerRunner&) = delete;
  PeerRunner& operator=(const PeerRunner&) = delete;

  // Starts accepting neighbours and dials the source.
  void start();
  // Stops watching and hands its children over (PeerEngine::leave); stop()
  // should follow after kHandOver.
  void leave();
  static constexpr std::chrono::milliseconds kHandOver{1200};
  // Says BYE to every neighbour and closes; the node then stays idle.
  void stop();
  // Other viewers of the channel, found by a tracker, the DHT or the like.
  void found_peers(std::span<const Endpoint> peers);

  const PeerEngine& engine() const { return engine_; }
  PeerTraffic traffic() const;
  // Connections closed at once by the per-address limits.
  uint64_t refused() const { return links_.refused(); }
  // Its stats as `shoal peer --stats-json` writes them, startup counted from
  // start() to the first chunk played (a decoding player reports its own).
  PeerReport report() const;
  // How far this machine's wall clock is ahead of the source's, and within
  // what; nullopt until a neighbour told the engine the channel's clock.
  std::optional<std::chrono::milliseconds> clock_offset() const;
  std::optional<std::chrono::milliseconds> clock_error() const;

 private:
  void on_accepted(ConnId conn, const Endpoint& remote) override;
  void on_dialled(ConnId conn, const Endpoint& to) override;
  void on_dial_failed(const Endpoint& to, const DialError& error) override;
  void on_message(ConnId conn, const Message& m, size_t bytes) override;
  void on_written(ConnId conn) override { links_.written(conn); }
  void on_closed(ConnId conn, const std::string& reason) override { links_.lost(conn, reason); }

  void on_link_closed(ConnId conn, const std::string& reason, const Links::Ended& ended);
  LinkKind kind(ConnId conn, bool accepted) const;
  void dial_source();
  // Carries out what the hostility adds, every Hostility::kTick.
  void misbehave();
  void redial_source_later();
  // Carries out the engine's actions, then re-arms the wake-up.
  void run(Actions actions);
  // The channel's clock, as the engine reads it: never the wall clock, which
  // may be off or stepped.
  WallTime now() const { return engine_.channel_time(transport_.mono_now()); }

  Transport& transport_;
  Endpoint source_;
  PeerEngine engine_;
  PlayFn on_play_;
  Uplink uplink_;
  Links links_;
  std::unique_ptr<Timer> wakeup_;
  std::unique_ptr<Timer> redial_;
  std::optional<Hostility> hostility_;
  std::unique_ptr<Timer> hostile_tick_;
  std::optional<ConnId> source_link_;
  bool source_banned_ = false;  // it sent a bad chunk
  bool stopped_ = false;
  PeerTraffic closed_traffic_;  // of links already gone
  MonoTime started_{};
  std::optional<MonoTime> first_play_;
  std::optional<WallTime> left_;  // channel time
  bool clock_told_ = false;  // the log has the clock's offset
  std::set<std::string> peers_dialled_;      // reached
  std::set<std::string> peer_dials_failed_;  // not reached
};

}  // namespace shoal
