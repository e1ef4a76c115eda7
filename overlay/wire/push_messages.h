#pragma once
// How a chunk is pushed: its head, then each of its pieces, every piece
// pointing into the chunk (no payload copied).

#include <memory>
#include <vector>

#include "overlay/wire/messages.h"

namespace shoal {

std::vector<Message> push_messages(const std::shared_ptr<const Chunk>& chunk);

}  // namespace shoal
