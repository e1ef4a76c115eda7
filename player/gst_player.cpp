#include "player/gst_player.h"

#include <string_view>

#include "player/bus_message.h"
#include "player/gst_elements.h"
#include "player/null_player.h"

namespace shoal {
namespace {

// Far more than a live peer ever queues (minutes of video at broadcast rates),
// so push() neither blocks nor drops in normal play. Past it the oldest data is
// dropped: a stalled pipeline must not grow the process without bound.
constexpr guint64 kMaxQueuedBytes = 64 * 1024 * 1024;

}  // namespace

Result<std::unique_ptr<Player>> Player::create(SinkKind sink) {
  if (sink == SinkKind::kNone) return std::unique_ptr<Player>(std::make_unique<NullPlayer>());
  if (auto ready = init_gstreamer(); !ready) return Error{ready.error()};
  if (auto found = require_elements(sink); !found) return Error{found.error()};
  auto player = std::make_unique<GstPlayer>(sink);
  if (auto started = player->start(); !started) return Error{started.error()};
  return std::unique_ptr<Player>(std::move(player));
}

GstPlayer::~GstPlayer() {
  if (!pipeline_) return;
  if (source_) gst_app_src_end_of_stream(GST_APP_SRC(source_));
  // Joins every streaming thread, so no callback can run once this returns.
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

Result<std::monostate> GstPlayer::start() {
  if (auto built = build(); !built) return built;
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    auto messages = poll_messages();
    return Error{"cannot start the GStreamer pipeline" +
                 (messages.empty() ? std::string() : ": " + messages.front())};
  }
  return std::monostate{};
}

Result<std::monostate> GstPlayer::build() {
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("shoal-player"))));
  bus_.reset(gst_element_get_bus(pipeline_.get()));
  source_ = gst_element_factory_make("appsrc", "source");
  decodebin_ = gst_element_factory_make("decodebin", "decode");
  if (!source_ || !decodebin_) {
    if (source_) gst_object_unref(gst_object_ref_sink(source_));
    if (decodebin_) gst_object_unref(gst_object_ref_sink(decodebin_));
    source_ = decodebin_ = nullptr;
    return Error{"cannot create appsrc and decodebin (gstreamer1.0-plugins-base)"};
  }
  gst_bin_add_many(GST_BIN(pipeline_.get()), source_, decodebin_, nullptr);
  configure_source();
  g_signal_connect(decodebin_, "pad-added", G_CALLBACK(&GstPlayer::on_pad_added), this);
  g_signal_connect(decodebin_, "deep-element-added", G_CALLBACK(&GstPlayer::on_element_added),
                   this);
  if (!gst_element_link(source_, decodebin_)) return Error{"cannot link appsrc to decodebin"};
  return std::monostate{};
}

void GstPlayer::configure_source() {
  GstCapsPtr caps(
      gst_caps_from_string("video/mpegts,systemstream=(boolean)true,packetsize=(int)188"));
  // A live TIME source stamped on arrival: tsdemux then maps the stream's clock
  // onto arrival times, so chunks pushed at their play time render at once.
  g_object_set(source_, "caps", caps.get(), "is-live", TRUE, "format", GST_FORMAT_TIME,
               "do-timestamp", TRUE, "stream-type", GST_APP_STREAM_TYPE_STREAM, "max-bytes",
               kMaxQueuedBytes, "block", FALSE, "leaky-type", GST_APP_LEAKY_TYPE_DOWNSTREAM,
               nullptr);
  GstAppSrcCallbacks callbacks{};
  callbacks.enough_data = &GstPlayer::on_enough_data;
  gst_app_src_set_callbacks(GST_APP_SRC(source_), &callbacks, this, nullptr);
}

void GstPlayer::push(std::span<const uint8_t> ts) {
  if (ts.empty()) return;
  GstBuffer* buffer = gst_buffer_new_memdup(ts.data(), ts.size());
  // Takes the buffer. Once the pipeline has failed this still just queues it.
  gst_app_src_push_buffer(GST_APP_SRC(source_), buffer);
}

std::optional<std::chrono::steady_clock::time_point> GstPlayer::first_frame_time() const {
  const auto first = first_frame_.load();
  if (first == kNoFrameYet) return std::nullopt;
  return Clock::time_point(Clock::duration(first));
}

std::vector<std::string> GstPlayer::poll_messages() {
  std::vector<std::string> lines;
  if (falling_behind_.exchange(false)) {
    lines.push_back("warning from source: decoding is falling behind; the oldest data is dropped");
  }
  const auto types =
      static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS);
  while (GstMessagePtr message{gst_bus_pop_filtered(bus_.get(), types)}) {
    lines.push_back(describe_bus_message(message.get()));
  }
  return lines;
}

void GstPlayer::link_stream(GstPad* pad) {
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const std::string_view media = caps && !gst_caps_is_empty(caps.get())
                                     ? gst_structure_get_name(gst_caps_get_structure(caps.get(), 0))
                                     : "";
  GstElement* head = nullptr;
  if (media.starts_with("video/")) {
    head =
        add_branch({gst_element_factory_make("queue", nullptr),
                    gst_element_factory_make("videoconvert", nullptr), make_sink("autovideosink")});
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &GstPlayer::on_video_buffer, this, nullptr);
  } else if (media.starts_with("audio/")) {
    head = add_branch({gst_element_factory_make("queue", nullptr),
                       gst_element_factory_make("audioconvert", nullptr),
                       gst_element_factory_make("audioresample", nullptr),
                       make_sink("autoaudiosink")});
  } else {
    // A stream we do not play (subtitles, data) still needs a sink, or its
    // not-linked flow could stop the demuxer.
    head = add_branch({make_sink(nullptr)});
  }
  if (!head) return;
  GstRef<GstPad> sink_pad(gst_element_get_static_pad(head, "sink"));
  if (gst_pad_link(pad, sink_pad.get()) != GST_PAD_LINK_OK) {
    post_warning("cannot link decoded " + std::string(media) + " stream");
  }
}

// Adds the elements to the pipeline, links them in order and brings them to the
// pipeline's state. Returns the first element, or null (with a bus warning).
GstElement* GstPlayer::add_branch(std::initializer_list<GstElement*> chain) {
  bool created = true;
  for (GstElement* element : chain) created = created && element;
  if (!created) {
    for (GstElement* element : chain) {
      if (element) gst_object_unref(gst_object_ref_sink(element));
    }
    post_warning("cannot create the elements to play a decoded stream");
    return nullptr;
  }
  GstElement* previous = nullptr;
  for (GstElement* element : chain) {
    gst_bin_add(GST_BIN(pipeline_.get()), element);
    if (previous && !gst_element_link(previous, element)) {
      post_warning("cannot link " + std::string(GST_ELEMENT_NAME(previous)) + " to " +
                   GST_ELEMENT_NAME(element));
    }
    previous = element;
  }
  // A sink that cannot start posts its own message on the bus and the rest of
  // the pipeline keeps running (autovideosink with no display warns and falls
  // back to a fake sink).
  for (GstElement* element : chain) gst_element_sync_state_with_parent(element);
  return *chain.begin();
}

// `auto_sink` is the SinkKind::kAuto choice; null means "always a fakesink".
GstElement* GstPlayer::make_sink(const char* auto_sink) {
  if (sink_ == SinkKind::kAuto && auto_sink) return gst_element_factory_make(auto_sink, nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  if (sink) g_object_set(sink, "sync", FALSE, nullptr);
  return sink;
}

// The time goes first, so that a reader who sees a frame counted sees its time.
void GstPlayer::note_frame() {
  auto expected = kNoFrameYet;
  if (first_frame_.load() == kNoFrameYet) {
    first_frame_.compare_exchange_strong(expected, Clock::now().time_since_epoch().count());
  }
  frames_.fetch_add(1);
}

void GstPlayer::post_warning(const std::string& text) {
  GError* error = g_error_new_literal(GST_CORE_ERROR, GST_CORE_ERROR_FAILED, text.c_str());
  gst_element_post_message(pipeline_.get(),
                           gst_message_new_warning(GST_OBJECT(pipeline_.get()), error, nullptr));
  g_error_free(error);
}

void GstPlayer::on_pad_added(GstElement*, GstPad* pad, gpointer self) {
  static_cast<GstPlayer*>(self)->link_stream(pad);
}

// Decoders give up (a fatal flow error) after a few corrupt frames by default;
// a live player must ride through a damaged or skipped chunk instead.
void GstPlayer::on_element_added(GstBin*, GstBin*, GstElement* element, gpointer) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-errors")) {
    g_object_set(element, "max-errors", -1, nullptr);
  }
}

GstPadProbeReturn GstPlayer::on_video_buffer(GstPad*, GstPadProbeInfo*, gpointer self) {
  static_cast<GstPlayer*>(self)->note_frame();
  return GST_PAD_PROBE_OK;
}

void GstPlayer::on_enough_data(GstAppSrc*, gpointer self) {
  static_cast<GstPlayer*>(self)->falling_behind_.store(true);
}

}  // namespace shoal
