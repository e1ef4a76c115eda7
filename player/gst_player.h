#pragma once
// GstPlayer: the GStreamer implementation of Player (see player.h).
//
//   appsrc (live MPEG-TS) ! decodebin ! queue ! videoconvert ! video sink
//                                     ! queue ! audioconvert ! audioresample ! audio sink
//
// The branches after decodebin are built when decodebin exposes a decoded
// stream (pad-added, on a streaming thread). A buffer probe on the video pad
// counts frames. There is no GLib main loop: the owner drains the bus with
// poll_messages(). The object must not move after start(): GStreamer callbacks
// hold `this`, and the destructor stops every streaming thread before the
// members they touch go away.

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <atomic>
#include <limits>
#include <string>

#include "player/gst_ref.h"
#include "player/player.h"

namespace shoal {

class GstPlayer final : public Player {
 public:
  explicit GstPlayer(SinkKind sink) : sink_(sink) {}
  ~GstPlayer() override;
  GstPlayer(const GstPlayer&) = delete;
  GstPlayer& operator=(const GstPlayer&) = delete;

  // Builds the pipeline and sets it playing. Needs init_gstreamer() and every
  // element require_elements() checks.
  Result<std::monostate> start();

  void push(std::span<const uint8_t> ts) override;
  uint64_t frames_decoded() const override { return frames_.load(); }
  std::optional<std::chrono::steady_clock::time_point> first_frame_time() const override;
  std::vector<std::string> poll_messages() override;

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::rep kNoFrameYet = std::numeric_limits<Clock::rep>::min();

  Result<std::monostate> build();
  void configure_source();
  void link_stream(GstPad* pad);
  GstElement* add_branch(std::initializer_list<GstElement*> chain);
  GstElement* make_sink(const char* auto_sink);
  void note_frame();
  void post_warning(const std::string& text);

  static void on_pad_added(GstElement* decodebin, GstPad* pad, gpointer self);
  static void on_element_added(GstBin* bin, GstBin* sub_bin, GstElement* element, gpointer self);
  static GstPadProbeReturn on_video_buffer(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static void on_enough_data(GstAppSrc* source, gpointer self);

  const SinkKind sink_;
  GstRef<GstElement> pipeline_;
  GstRef<GstBus> bus_;
  GstElement* source_ = nullptr;     // owned by pipeline_
  GstElement* decodebin_ = nullptr;  // owned by pipeline_

  // Written on GStreamer's streaming threads, read from any thread.
  std::atomic<uint64_t> frames_{0};
  std::atomic<Clock::rep> first_frame_{kNoFrameYet};
  std::atomic<bool> falling_behind_{false};
};

}  // namespace shoal
