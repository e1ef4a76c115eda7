// The GStreamer implementation of Player:
//   appsrc ! decodebin ! queue ! videoconvert ! video sink
//                      ! queue ! audioconvert ! audioresample ! audio sink
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <atomic>
#include <mutex>

#include "player/player.h"

namespace shoal {
namespace {

// Elements the pipeline may need, with the Debian package providing each.
constexpr std::pair<const char*, const char*> kElements[] = {
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"decodebin", "gstreamer1.0-plugins-base"},
    {"videoconvert", "gstreamer1.0-plugins-base"},
    {"audioconvert", "gstreamer1.0-plugins-base"},
    {"audioresample", "gstreamer1.0-plugins-base"},
    {"tsdemux", "gstreamer1.0-plugins-bad"},
    {"h264parse", "gstreamer1.0-plugins-bad"},
    {"avdec_h264", "gstreamer1.0-libav"},
    {"avdec_aac", "gstreamer1.0-libav"},
    {"autovideosink", "gstreamer1.0-plugins-good"},
    {"autoaudiosink", "gstreamer1.0-plugins-good"},
    {"queue", "libgstreamer1.0-0"},
    {"fakesink", "libgstreamer1.0-0"}};

std::optional<std::string> missing_element() {
  for (const auto& [name, package] : kElements) {
    GstElementFactory* f = gst_element_factory_find(name);
    if (!f)
      return std::string("GStreamer element '") + name + "' is missing (install " + package + ")";
    gst_object_unref(f);
  }
  return std::nullopt;
}

class GstPlayer final : public Player {
 public:
  explicit GstPlayer(SinkKind sink) : sink_(sink) {}
  ~GstPlayer() override {
    if (!pipeline_) return;
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  GstPlayer(const GstPlayer&) = delete;
  GstPlayer& operator=(const GstPlayer&) = delete;

  Result<std::monostate> build() {
    pipeline_ = gst_pipeline_new("shoal-player");
    appsrc_ = gst_element_factory_make("appsrc", "source");
    GstElement* decode = gst_element_factory_make("decodebin", "decode");
    GstCaps* caps =
        gst_caps_from_string("video/mpegts,systemstream=(boolean)true,packetsize=(int)188");
    // Live: buffers are stamped with the running time they arrive at, so the
    // demuxer maps the stream's clock onto ours and sinks play it smoothly.
    g_object_set(appsrc_, "caps", caps, "is-live", TRUE, "do-timestamp", TRUE, "format",
                 GST_FORMAT_TIME, "max-bytes", guint64{64} << 20, "stream-type",
                 GST_APP_STREAM_TYPE_STREAM, nullptr);
    gst_caps_unref(caps);
    gst_bin_add_many(GST_BIN(pipeline_), appsrc_, decode, nullptr);
    if (!gst_element_link(appsrc_, decode)) return Error{"cannot link appsrc to decodebin"};
    g_signal_connect(decode, "pad-added", G_CALLBACK(&GstPlayer::on_pad_added), this);
    if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      return Error{"the GStreamer pipeline cannot start"};
    }
    return std::monostate{};
  }

  void push(std::span<const uint8_t> ts) override {
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, ts.size(), nullptr);
    gst_buffer_fill(buffer, 0, ts.data(), ts.size());
    gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buffer);  // takes ownership
  }

  uint64_t frames_decoded() const override { return frames_.load(); }

  std::optional<std::chrono::steady_clock::time_point> first_frame_time() const override {
    std::lock_guard lock(first_mutex_);
    return first_frame_;
  }

  std::vector<std::string> poll_messages() override {
    std::vector<std::string> out;
    GstBus* bus = gst_element_get_bus(pipeline_);
    const auto types =
        static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS);
    while (GstMessage* msg = gst_bus_pop_filtered(bus, types)) {
      out.push_back(describe(msg));
      gst_message_unref(msg);
    }
    gst_object_unref(bus);
    return out;
  }

 private:
  static std::string describe(GstMessage* msg) {
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) return "end of stream";
    GError* error = nullptr;
    gchar* debug = nullptr;
    const bool is_error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
    if (is_error) {
      gst_message_parse_error(msg, &error, &debug);
    } else {
      gst_message_parse_warning(msg, &error, &debug);
    }
    std::string text = std::string(is_error ? "error" : "warning") + " from " +
                       GST_OBJECT_NAME(msg->src) + ": " + (error ? error->message : "?");
    g_clear_error(&error);
    g_free(debug);
    return text;
  }

  static void on_pad_added(GstElement*, GstPad* pad, gpointer data) {
    auto* self = static_cast<GstPlayer*>(data);
    GstCaps* caps = gst_pad_get_current_caps(pad);
    if (!caps) caps = gst_pad_query_caps(pad, nullptr);
    const std::string media = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    gst_caps_unref(caps);
    if (media.starts_with("video/x-raw")) {
      self->attach(pad, {"queue", "videoconvert"}, "autovideosink");
      gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &GstPlayer::count_frame, self, nullptr);
    } else if (media.starts_with("audio/x-raw")) {
      self->attach(pad, {"queue", "audioconvert", "audioresample"}, "autoaudiosink");
    }
  }

  // Links `pad` to a new branch of `filters` ending in the sink for the kind.
  void attach(GstPad* pad, std::initializer_list<const char*> filters, const char* auto_sink) {
    std::vector<GstElement*> chain;
    for (const char* f : filters) chain.push_back(gst_element_factory_make(f, nullptr));
    GstElement* sink =
        gst_element_factory_make(sink_ == SinkKind::kFake ? "fakesink" : auto_sink, nullptr);
    if (sink_ == SinkKind::kFake) g_object_set(sink, "sync", FALSE, nullptr);
    chain.push_back(sink);
    for (GstElement* e : chain) gst_bin_add(GST_BIN(pipeline_), e);
    for (size_t i = 0; i + 1 < chain.size(); ++i) gst_element_link(chain[i], chain[i + 1]);
    for (GstElement* e : chain) gst_element_sync_state_with_parent(e);
    GstPad* sink_pad = gst_element_get_static_pad(chain.front(), "sink");
    gst_pad_link(pad, sink_pad);
    gst_object_unref(sink_pad);
  }

  static GstPadProbeReturn count_frame(GstPad*, GstPadProbeInfo*, gpointer data) {
    auto* self = static_cast<GstPlayer*>(data);
    if (self->frames_.fetch_add(1) == 0) {
      std::lock_guard lock(self->first_mutex_);
      self->first_frame_ = std::chrono::steady_clock::now();
    }
    return GST_PAD_PROBE_OK;
  }

  SinkKind sink_;
  GstElement* pipeline_ = nullptr;
  GstElement* appsrc_ = nullptr;  // owned by pipeline_
  std::atomic<uint64_t> frames_{0};
  mutable std::mutex first_mutex_;
  std::optional<std::chrono::steady_clock::time_point> first_frame_;
};

}  // namespace

Result<std::unique_ptr<Player>> Player::create(SinkKind sink) {
  static std::once_flag init;
  std::call_once(init, [] { gst_init(nullptr, nullptr); });
  if (auto missing = missing_element()) return Error{*missing};
  auto player = std::make_unique<GstPlayer>(sink);
  if (auto built = player->build(); !built) return Error{built.error()};
  return std::unique_ptr<Player>(std::move(player));
}

}  // namespace shoal
