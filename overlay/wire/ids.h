#pragma once
// Identifiers of the overlay. PeerId names a node across the swarm (random,
// chosen at start); ConnId names one TCP connection inside one process.

#include <cstdint>

#include "media/strong_type.h"

namespace shoal {

struct PeerIdTag {};
using PeerId = Strong<uint64_t, PeerIdTag>;

struct ConnIdTag {};
using ConnId = Strong<uint64_t, ConnIdTag>;

}  // namespace shoal
