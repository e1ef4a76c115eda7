// Fuzz target: what a tracker reads from one connection, frame after frame,
// fed to its registry as TrackerServer does: an ANNOUNCE is recorded and
// answered with at most max_reply (and kPeersAddresses) others, never the
// announcer; time passes and entries expire.
#include <cstdlib>

#include "fuzz/frame_stream.h"
#include "overlay/tracker/tracker_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shoal;
  TrackerRegistry registry({.ttl = std::chrono::milliseconds(3'000),
                            .max_reply = 8,
                            .max_channels = 4,
                            .max_peers_per_channel = 16},
                           1);
  WallTime now(std::chrono::milliseconds(1'700'000'000'000));
  fuzz::FrameStream frames(std::span(data, size));
  for (auto frame = frames.next(); !frame.empty(); frame = frames.next()) {
    now += std::chrono::milliseconds(500);
    const auto m = decode_frame(frame);
    if (!m) continue;  // TrackerServer closes the connection; a fuzzer reads on
    const auto* announce = std::get_if<AnnounceMsg>(&*m);
    if (!announce) continue;
    const Endpoint from{"192.0.2." + std::to_string(announce->peer_id.value % 4),
                        announce->listen_port};
    const auto reply = registry.announce(announce->channel, announce->peer_id, from, now);
    if (reply && reply->size() > 8) std::abort();
    if (frame.size() % 7 == 0) registry.expire(now);
  }
  return 0;
}
