#include "overlay/limits/upload_limit.h"

#include <charconv>
#include <cmath>
#include <string>

namespace shoal {
namespace {

// More than any link carries: beyond it a rate in bits no longer fits the
// int64_t it is kept in, and is a typo anyway.
constexpr double kMaxBitsPerSecond = 1e12;

// "1.5x" (or "1.5X"): a multiple of the stream's rate.
std::optional<double> parse_multiple(std::string_view text) {
  if (text.empty() || (text.back() != 'x' && text.back() != 'X')) return std::nullopt;
  return parse_number(text.substr(0, text.size() - 1));
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  if (text.empty() || text.front() == '-') return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || p != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

Result<int64_t> parse_bitrate(std::string_view text) {
  const char unit = text.empty() ? '\0' : text.back();
  const double scale = unit == 'k' || unit == 'K' ? 1e3 : unit == 'm' || unit == 'M' ? 1e6 : 1;
  std::string_view number = text;
  if (scale != 1) number.remove_suffix(1);
  const auto value = parse_number(number);
  if (!value || *value * scale < 1 || *value * scale > kMaxBitsPerSecond) {
    return Error{"bad bit rate '" + std::string(text) + "' (e.g. 800k, 1.5M or 2000000)"};
  }
  return static_cast<int64_t>(*value * scale);
}

Result<UploadLimit> parse_upload_limit(std::string_view text) {
  if (text == "none") return UploadLimit{};
  if (text == "0") return UploadLimit{.bytes_per_second = 0.0};
  if (const auto multiple = parse_multiple(text)) return UploadLimit{.stream_multiple = multiple};
  const auto bits = parse_bitrate(text);
  if (!bits) {
    return Error{
        "bad upload limit '" + std::string(text) +
        "' (none, 0, a bit rate such as 2M, or a multiple of the stream rate such as 1.5x)"};
  }
  return UploadLimit{.bytes_per_second = static_cast<double>(*bits) / 8.0};
}

Result<std::optional<double>> parse_repair_share(std::string_view text) {
  if (text == "none") return std::optional<double>();
  const auto multiple = parse_multiple(text);
  const auto share = multiple ? multiple : parse_number(text);
  if (!share) {
    return Error{"bad repair share '" + std::string(text) +
                 "' (none, or a multiple of the stream rate such as 0.3x)"};
  }
  return std::optional(*share);
}

}  // namespace shoal
