#include "player/gst_elements.h"

#include <gst/gst.h>

#include <mutex>
#include <span>
#include <string>

#include "player/gst_ref.h"

namespace shoal {
namespace {

struct Requirement {
  const char* element;
  const char* package;
};

// decodebin picks the demuxer, parsers and decoders at run time; checking them
// here turns "no video, and an obscure bus message" into a clear startup error.
constexpr Requirement kDecoding[] = {
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"decodebin", "gstreamer1.0-plugins-base"},
    {"tsdemux", "gstreamer1.0-plugins-bad"},
    {"h264parse", "gstreamer1.0-plugins-bad"},
    {"avdec_h264", "gstreamer1.0-libav"},
    {"aacparse", "gstreamer1.0-plugins-good"},
    {"avdec_aac", "gstreamer1.0-libav"},
    {"queue", "libgstreamer1.0-0"},
    {"videoconvert", "gstreamer1.0-plugins-base"},
    {"audioconvert", "gstreamer1.0-plugins-base"},
    {"audioresample", "gstreamer1.0-plugins-base"},
};
constexpr Requirement kFakeSinks[] = {{"fakesink", "libgstreamer1.0-0"}};
constexpr Requirement kAutoSinks[] = {
    {"autovideosink", "gstreamer1.0-plugins-good"},
    {"autoaudiosink", "gstreamer1.0-plugins-good"},
};

Result<std::monostate> require(std::span<const Requirement> requirements) {
  for (const auto& r : requirements) {
    GstRef<GstElementFactory> factory(gst_element_factory_find(r.element));
    if (!factory) {
      return Error{std::string("GStreamer element '") + r.element +
                   "' is missing; install the Debian package " + r.package};
    }
  }
  return std::monostate{};
}

// DirectFB's video sink crashes the process (in its own thread) when
// autovideosink tries it on a machine with no display, where every other
// candidate fails cleanly and autovideosink reports that on the bus instead.
void keep_autovideosink_off_directfb() {
  GstRef<GstPluginFeature> directfb(
      gst_registry_lookup_feature(gst_registry_get(), "dfbvideosink"));
  if (directfb) gst_plugin_feature_set_rank(directfb.get(), GST_RANK_NONE);
}

}  // namespace

Result<std::monostate> init_gstreamer() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    GError* raw = nullptr;
    if (!gst_init_check(nullptr, nullptr, &raw)) {
      GErrorPtr e(raw);
      error = std::string("cannot initialise GStreamer: ") + (e ? e->message : "unknown error");
      return;
    }
    keep_autovideosink_off_directfb();
  });
  if (!error.empty()) return Error{error};
  return std::monostate{};
}

Result<std::monostate> require_elements(SinkKind sink) {
  auto decoding = require(kDecoding);
  if (!decoding) return decoding;
  return sink == SinkKind::kFake ? require(kFakeSinks) : require(kAutoSinks);
}

}  // namespace shoal
