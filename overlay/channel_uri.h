#pragma once
// The channel URI a viewer is given:
//   shoal://<channel-id-hex>?source=HOST:PORT[&tracker=HOST:PORT]
// (later also dht=). The channel id is the source's public key.

#include <optional>
#include <string>
#include <string_view>

#include "media/chunk.h"
#include "media/result.h"
#include "overlay/endpoint.h"

namespace shoal {

struct ChannelUri {
  ChannelId channel{};
  Endpoint source;
  std::optional<Endpoint> tracker;

  std::string to_string() const;
  static Result<ChannelUri> parse(std::string_view text);
};

}  // namespace shoal
