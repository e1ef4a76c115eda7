#pragma once
// PeerOptions: what a viewer is asked to do, as `shoal peer` reads it from
// its command line and the simulation gives each of its viewers. The
// defaults here are the command's defaults; the engine's PeerConfig is made
// from it in one place, make_config().

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "overlay/limits/address_limits.h"
#include "overlay/limits/upload_limit.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "peer/engine.h"
#include "peer/offence.h"

namespace shoal {

// What one address may cost a peer's port: a peer keeps about a dozen
// neighbours, so far fewer connections in all than the source. REQUESTs
// only as a backstop: the engine drops, bans and counts a neighbour over
// its own limit first (OffenderWatch: 1000 a second per connection).
inline constexpr AddressLimitsConfig kPeerAddressLimits{
    .max_per_address = 8, .max_total = 64, .requests_per_second = 2000, .request_burst = 4000};

struct PeerOptions {
  ChannelId channel{};
  Endpoint source;  // dialled first, and again whenever the link is lost
  PeerId self;      // this viewer, random per process
  uint64_t seed = 1;
  uint16_t listen_port = 0;  // where it accepts neighbours; 0: nowhere
  std::string inside_host;   // its own IP address, if known (PeerConfig)
  std::chrono::milliseconds lag{3000};
  size_t neighbours = 12;  // at most; it dials half, later viewers dial the rest
  UploadLimit upload;      // none
  bool client_server = false;
  AddressLimitsConfig limits = kPeerAddressLimits;
  // Misbehaves so, to test others' defences (peer/hostility.h); honest if none.
  std::optional<Offence> hostile;

  PeerConfig make_config() const;
};

}  // namespace shoal
