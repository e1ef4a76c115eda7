#include "tools/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace shoal::cli {

// The first line after 3 s: a shorter run needs none, and what it prints as
// it starts comes first.
ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)),
      terminal_(isatty(STDERR_FILENO) == 1),
      last_(std::chrono::steady_clock::now() + std::chrono::seconds(2)) {}

ProgressLine::~ProgressLine() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

void ProgressLine::show(double done, double total) {
  const auto now = std::chrono::steady_clock::now();
  if (!terminal_ || now - last_ < std::chrono::seconds(1)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K%s: %.0f of %.0f s", label_.c_str(), done, total);
  std::fflush(stderr);
}

}  // namespace shoal::cli
