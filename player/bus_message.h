#pragma once
// Turns a GStreamer bus message into the one-line text the player reports,
// e.g. "error from tsdemux0: Internal data stream error. (streaming stopped,
// reason not-negotiated)". The debug detail GStreamer attaches keeps only its
// last line, which says what went wrong rather than where in the source.

#include <gst/gst.h>

#include <string>

namespace shoal {

// For ERROR, WARNING and EOS messages; other types get a generic line.
std::string describe_bus_message(GstMessage* message);

}  // namespace shoal
