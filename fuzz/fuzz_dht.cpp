// Fuzz target: one DHT datagram (overlay/dht/dht_codec.h). Whatever decodes
// must encode again to a datagram that decodes to the same bytes.
#include <cstdlib>

#include "overlay/dht/dht_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shoal;
  const auto d = decode_datagram(std::span(data, size));
  if (!d) return 0;
  const auto again = encode_datagram(*d);
  // An id sent shorter than 20 bytes comes back as 20: only a datagram within
  // the limit must decode again.
  if (again.size() > kMaxDatagram) return 0;
  const auto back = decode_datagram(again);
  if (!back || back->txid != d->txid || encode_datagram(*back) != again) std::abort();
  return 0;
}
