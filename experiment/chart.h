#pragma once
// Chart: one panel of a figure (plot.h) in a box of an Svg: its title and
// its legend above, a frame with x and y axes, ticks, grid lines and
// axis labels, and what is drawn in it, placed in data units. What falls
// outside the axes' ranges is drawn at their edge.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiment/svg.h"

namespace shoal::experiment {

struct Axis {
  std::string label;
  double lo = 0;
  double hi = 1;
  // Where the ticks are and what they say; empty: none.
  std::vector<std::pair<double, std::string>> ticks;
};

// An axis over [lo, hi] widened to round ticks (1, 2 or 5 times a power of
// ten apart, five to ten of them). An empty range is widened around lo
// (0..1 if lo is 0); one that is not finite is 0..1.
Axis round_axis(std::string label, double lo, double hi);

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

class Chart {
 public:
  using Points = std::vector<std::pair<double, double>>;
  struct Key {
    std::string label;
    std::string colour;
  };

  // Draws the panel's title, legend, frame, grid and axes into `svg`,
  // which must outlive the chart, within `box`.
  Chart(Svg& svg, Box box, std::string_view title, Axis x, Axis y, const std::vector<Key>& legend);

  void line(const Points& points, std::string_view colour, double width = 1.5);
  // A line across the whole x range at `y`.
  void level(double y, std::string_view colour);
  // A bar centred on `x`, `width` wide (x units), from the bottom of the y axis up to `y`.
  void bar(double x, double width, double y, std::string_view colour);
  void dot(double x, double y, std::string_view colour);
  // Small text centred above (`x`, `y`).
  void label(double x, double y, std::string_view text);
  // A line of text in the middle of the frame, as "no data".
  void note(std::string_view text);

 private:
  double px(double x) const;
  double py(double y) const;

  Svg& svg_;
  Box frame_;  // the plotting area, inside the axes
  Axis x_, y_;
};

}  // namespace shoal::experiment
