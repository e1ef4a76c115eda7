#include "media/ffmpeg_util.h"

#include <cstdio>
#include <mutex>
#include <utility>

namespace shoal {
namespace {

thread_local std::string last_error;

void capture_log(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_ERROR) return;
  char line[512];
  int prefix = 1;
  av_log_format_line2(avcl, level, fmt, args, line, sizeof line, &prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty()) last_error = text;
}

}  // namespace

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE];
  av_strerror(code, text, sizeof text);
  return text;
}

void quiet_ffmpeg_logs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(capture_log); });
}

std::string last_ffmpeg_error() { return std::exchange(last_error, {}); }

}  // namespace shoal
