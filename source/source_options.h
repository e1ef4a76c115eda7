#pragma once
// SourceOptions: what a broadcaster is asked to do, as `shoal source` reads
// it from its command line and the simulation gives its source. The
// defaults here are the command's defaults; the engine's SourceConfig is
// made from it in one place, make_config().

#include <chrono>
#include <cstdint>
#include <optional>

#include "overlay/limits/address_limits.h"
#include "overlay/limits/upload_limit.h"
#include "overlay/wire/ids.h"
#include "source/source_engine.h"

namespace shoal {

// What one address may cost the source. A viewer asks for each chunk once, a
// few per second, but one catching up (or several behind one NAT) may ask for
// a whole window at once: the burst covers 100 s of 500 ms chunks.
inline constexpr AddressLimitsConfig kSourceAddressLimits{.requests_per_second = 50,
                                                          .request_burst = 200};

struct SourceOptions {
  PeerId self;  // random per process
  uint64_t seed = 1;
  std::chrono::milliseconds chunk{500};  // the chunks' target duration
  std::chrono::seconds window{60};       // of chunks kept to serve
  std::optional<double> repair_share = SourceConfig{}.repair_share;
  UploadLimit upload;  // none
  AddressLimitsConfig limits = kSourceAddressLimits;

  SourceConfig make_config(const ChannelId& channel) const;
};

}  // namespace shoal
