#include "experiment/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shoal::experiment {
namespace {

// Space around the frame, px: tick labels and the axis label at the left
// and below, the title and the legend above.
constexpr double kLeft = 62, kRight = 22, kTop = 44, kBottom = 40;
constexpr const char* kInk = "#333";
constexpr const char* kGrid = "#e4e4e4";

// 1, 2 or 5 times a power of ten, near `rough`.
double round_step(double rough) {
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  const double m = rough / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

std::string tick_label(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step / 2 ? 0.0 : v);
  return buf;
}

}  // namespace

Axis round_axis(std::string label, double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::abs(lo) / 2;
    if (lo != 0) lo -= pad;
    hi += pad;
  }
  const double step = round_step((hi - lo) / 5);
  Axis axis{.label = std::move(label),
            .lo = std::floor(lo / step + 1e-9) * step,
            .hi = std::ceil(hi / step - 1e-9) * step};
  const int steps = static_cast<int>(std::lround((axis.hi - axis.lo) / step));
  for (int i = 0; i <= steps; ++i) {
    const double v = axis.lo + i * step;
    axis.ticks.emplace_back(v, tick_label(v, step));
  }
  return axis;
}

Chart::Chart(Svg& svg, Box box, std::string_view title, Axis x, Axis y,
             const std::vector<Key>& legend)
    : svg_(svg),
      frame_{box.x + kLeft, box.y + kTop, box.w - kLeft - kRight, box.h - kTop - kBottom},
      x_(std::move(x)),
      y_(std::move(y)) {
  svg_.text(box.x + kLeft, box.y + 14, title, Svg::Anchor::start, 13, true);
  // The legend on a line below the title; text is about 0.6 em wide a letter.
  double left = frame_.x;
  for (const Key& key : legend) {
    svg_.rect(left, box.y + 25, 12, 10, key.colour);
    svg_.text(left + 16, box.y + 34, key.label, Svg::Anchor::start, 11);
    left += 16 + 6.6 * static_cast<double>(key.label.size()) + 14;
  }
  for (const auto& [v, text] : y_.ticks) {
    svg_.line(frame_.x, py(v), frame_.x + frame_.w, py(v), kGrid);
    svg_.text(frame_.x - 5, py(v) + 4, text, Svg::Anchor::end, 11);
  }
  for (const auto& [v, text] : x_.ticks) {
    svg_.line(px(v), frame_.y + frame_.h, px(v), frame_.y + frame_.h + 4, kInk);
    svg_.text(px(v), frame_.y + frame_.h + 16, text, Svg::Anchor::middle, 11);
  }
  svg_.line(frame_.x, frame_.y, frame_.x, frame_.y + frame_.h, kInk);
  svg_.line(frame_.x, frame_.y + frame_.h, frame_.x + frame_.w, frame_.y + frame_.h, kInk);
  svg_.text(frame_.x + frame_.w / 2, frame_.y + frame_.h + 33, x_.label, Svg::Anchor::middle, 12);
  svg_.text(box.x + 14, frame_.y + frame_.h / 2, y_.label, Svg::Anchor::middle, 12, false, true);
}

double Chart::px(double x) const {
  const double t = x_.hi > x_.lo ? (x - x_.lo) / (x_.hi - x_.lo) : 0;
  return frame_.x + std::clamp(std::isfinite(t) ? t : 0, 0.0, 1.0) * frame_.w;
}

double Chart::py(double y) const {
  const double t = y_.hi > y_.lo ? (y - y_.lo) / (y_.hi - y_.lo) : 0;
  return frame_.y + frame_.h - std::clamp(std::isfinite(t) ? t : 0, 0.0, 1.0) * frame_.h;
}

void Chart::line(const Points& points, std::string_view colour, double width) {
  Points at;
  for (const auto& [x, y] : points) at.emplace_back(px(x), py(y));
  svg_.polyline(at, colour, width);
}

void Chart::level(double y, std::string_view colour) {
  svg_.line(frame_.x, py(y), frame_.x + frame_.w, py(y), colour, 1, true);
}

void Chart::bar(double x, double width, double y, std::string_view colour) {
  const double left = px(x - width / 2), right = px(x + width / 2);
  svg_.rect(left, py(y), right - left, frame_.y + frame_.h - py(y), colour);
}

void Chart::dot(double x, double y, std::string_view colour) {
  svg_.circle(px(x), py(y), 3, colour);
}

void Chart::label(double x, double y, std::string_view text) {
  svg_.text(px(x), py(y) - 4, text, Svg::Anchor::middle, 10);
}

void Chart::note(std::string_view text) {
  svg_.text(frame_.x + frame_.w / 2, frame_.y + frame_.h / 2, text, Svg::Anchor::middle, 13);
}

}  // namespace shoal::experiment
