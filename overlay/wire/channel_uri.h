#pragma once
// The channel URI a viewer is given:
//   shoal://<channel-id-hex>?source=HOST:PORT[&tracker=HOST:PORT][&dht=HOST:PORT]
// The channel id is the source's public key; dht= names a node of the DHT
// where the channel's viewers are found (DhtAnnouncer).

#include <optional>
#include <string>
#include <string_view>

#include "media/chunk.h"
#include "media/result.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

struct ChannelUri {
  ChannelId channel{};
  Endpoint source;
  std::optional<Endpoint> tracker;
  std::optional<Endpoint> dht;

  std::string to_string() const;
  static Result<ChannelUri> parse(std::string_view text);
};

}  // namespace shoal
