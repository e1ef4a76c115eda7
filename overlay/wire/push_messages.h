#pragma once
// How a chunk travels: its head, then each of its pieces, every piece
// pointing into the chunk (no payload copied). `requested`: sent on request,
// the last piece marked as ending it; a request for some stripes only is a
// repair, which goes behind pieces pushed down the trees.

#include <memory>
#include <vector>

#include "overlay/wire/messages.h"

namespace shoal {

// `stripes`: only the pieces of these (bit s: stripe s); 0: all.
std::vector<Message> push_messages(const std::shared_ptr<const Chunk>& chunk,
                                   bool requested = false, uint8_t stripes = 0);

}  // namespace shoal
