#pragma once
// Encoding and decoding of DHT datagrams: `[type, txid, [fields]]` in msgpack.
//
// Nothing from the wire is trusted: a datagram over kMaxDatagram is refused
// unread, it is unpacked within 256 values (overlay/wire/bounded_unpack.h:
// decoding allocates a few KiB at most), every list and string
// is checked against the limits in dht_messages.h, and every failure is an
// error value (never an exception or a crash). A bad datagram is dropped
// and counted by its receiver.

#include <cstdint>
#include <span>
#include <vector>

#include "media/result.h"
#include "overlay/dht/dht_messages.h"

namespace shoal {

std::vector<uint8_t> encode_datagram(const Datagram& d);
Result<Datagram> decode_datagram(std::span<const uint8_t> bytes);

}  // namespace shoal
