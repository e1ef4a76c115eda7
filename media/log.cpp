#include "media/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace shoal {
namespace {
std::string& log_name() {
  static std::string name = "shoal";
  return name;
}
std::mutex log_mutex;
}  // namespace

void set_log_name(std::string name) { log_name() = std::move(name); }

void log_line(std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::lock_guard lock(log_mutex);
  std::fprintf(stderr, "%s.%03d %s: %.*s\n", stamp, static_cast<int>(ms.count()),
               log_name().c_str(), static_cast<int>(message.size()), message.data());
}

}  // namespace shoal
