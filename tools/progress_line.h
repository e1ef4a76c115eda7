#pragma once
// ProgressLine: one line on a terminal saying how far a long run is, from
// 3 s in, redrawn at most once a second and cleared at the end; nothing at
// all when stderr is not a terminal (a log, CI).

#include <chrono>
#include <string>

namespace shoal::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `done` of `total` seconds.
  void show(double done, double total);

 private:
  std::string label_;
  bool terminal_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace shoal::cli
