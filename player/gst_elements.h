#pragma once
// What the player needs from GStreamer before it builds a pipeline: an
// initialised library and every element it will use, each missing one named
// with the Debian package that provides it.

#include <variant>

#include "media/result.h"
#include "player/player.h"

namespace shoal {

// Calls gst_init once per process; safe from any thread, any number of times.
Result<std::monostate> init_gstreamer();

// Fails, naming the element and its package, when an element the pipeline for
// `sink` uses (including the H.264 and AAC decoders decodebin picks) is not
// installed. Call after init_gstreamer().
Result<std::monostate> require_elements(SinkKind sink);

}  // namespace shoal
