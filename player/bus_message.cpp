#include "player/bus_message.h"

#include "player/gst_ref.h"

namespace shoal {
namespace {

// GStreamer's debug strings start with "file(line): function (): element:" and
// may span lines; the last line is the useful part.
std::string last_line(const gchar* debug) {
  if (!debug) return {};
  std::string text(debug);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const auto newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

std::string describe_problem(GstMessage* message, const char* kind) {
  GError* raw_error = nullptr;
  gchar* raw_debug = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(message, &raw_error, &raw_debug);
  } else {
    gst_message_parse_warning(message, &raw_error, &raw_debug);
  }
  GErrorPtr error(raw_error);
  GCharPtr debug(raw_debug);
  std::string line = std::string(kind) + " from " + GST_MESSAGE_SRC_NAME(message) + ": " +
                     (error ? error->message : "unknown");
  const auto detail = last_line(debug.get());
  if (!detail.empty()) line += " (" + detail + ")";
  return line;
}

}  // namespace

std::string describe_bus_message(GstMessage* message) {
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      return describe_problem(message, "error");
    case GST_MESSAGE_WARNING:
      return describe_problem(message, "warning");
    case GST_MESSAGE_EOS:
      return "end of stream";
    default:
      return std::string(GST_MESSAGE_TYPE_NAME(message)) + " from " + GST_MESSAGE_SRC_NAME(message);
  }
}

}  // namespace shoal
