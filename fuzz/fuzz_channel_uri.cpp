// Fuzz target: a channel URI as a user gives it (overlay/wire/channel_uri.h),
// and the HOST:PORT addresses inside it. Whatever parses must print as a URI
// that parses to the same channel and endpoints.
#include <cstdlib>
#include <string_view>

#include "overlay/wire/channel_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shoal;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto e = Endpoint::parse(text)) {
    const auto back = Endpoint::parse(e->to_string());
    if (!back || !(*back == *e)) std::abort();
  }
  const auto uri = ChannelUri::parse(text);
  if (!uri) return 0;
  const auto back = ChannelUri::parse(uri->to_string());
  if (!back || back->channel != uri->channel || !(back->source == uri->source) ||
      back->tracker != uri->tracker || back->dht != uri->dht) {
    std::abort();
  }
  return 0;
}
