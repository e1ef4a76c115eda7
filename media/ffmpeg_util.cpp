#include "media/ffmpeg_util.h"

#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

namespace shoal {
namespace {

thread_local std::string last_error;
thread_local std::vector<std::string> warnings;
constexpr size_t kMaxWarnings = 16;

void capture_log(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_WARNING) return;
  char line[512];
  int prefix = 1;
  av_log_format_line2(avcl, level, fmt, args, line, sizeof line, &prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return;
  if (level <= AV_LOG_ERROR) last_error = text;
  else if (warnings.size() < kMaxWarnings) warnings.push_back(std::move(text));
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

std::vector<std::string> ffmpeg_warnings() { return std::exchange(warnings, {}); }

}  // namespace shoal
