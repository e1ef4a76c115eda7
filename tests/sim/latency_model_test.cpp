// The latency model: latencies lie in the range, are symmetric and
// consistent, spread around its middle, and repeat for a seed.
#include "sim/latency_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "experiment/plan.h"

namespace shoal::sim {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> hosts(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(experiment::viewer_host(i));
  return out;
}

TEST(LatencyModel, OneValueIsEveryLinksLatency) {
  const LatencyModel model(50ms, 50ms, 1);
  EXPECT_EQ(model.between("127.0.1.1", "127.0.0.1"), 50ms);
  EXPECT_EQ(model.between("127.0.1.1", "127.0.1.1"), 50ms);
}

TEST(LatencyModel, LinksLieInTheRangeAreSymmetricAndSpreadAroundItsMiddle) {
  const LatencyModel model(10ms, 150ms, 1);
  const auto h = hosts(200);
  double sum = 0;
  SimTime lo = 1h, hi = 0ms;
  for (size_t i = 0; i < h.size(); ++i) {
    for (size_t j = i + 1; j < h.size(); ++j) {
      const SimTime l = model.between(h[i], h[j]);
      ASSERT_EQ(l, model.between(h[j], h[i]));
      lo = std::min(lo, l);
      hi = std::max(hi, l);
      sum += static_cast<double>(l.count());
    }
  }
  EXPECT_GE(lo, 10ms);
  EXPECT_LE(hi, 150ms);
  EXPECT_LT(lo, 40ms);   // the range is used, not just its middle
  EXPECT_GT(hi, 120ms);
  const double mean_ms = sum / (h.size() * (h.size() - 1) / 2) / 1000;
  EXPECT_NEAR(mean_ms, 80, 8);
}

TEST(LatencyModel, LatenciesAreConsistentNotIndependentNoise) {
  // The triangle inequality: no detour through a third host is shorter.
  const LatencyModel model(0ms, 100ms, 3);
  const auto h = hosts(40);
  for (size_t a = 0; a < h.size(); ++a) {
    for (size_t b = 0; b < h.size(); ++b) {
      for (size_t c = 0; c < h.size(); ++c) {
        if (a == b || b == c || a == c) continue;
        EXPECT_LE(model.between(h[a], h[c]),
                  model.between(h[a], h[b]) + model.between(h[b], h[c]) + 1us);
      }
    }
  }
}

TEST(LatencyModel, TheSameSeedGivesTheSamePlacesAndAnotherSeedOthers) {
  const LatencyModel a(10ms, 150ms, 1), b(10ms, 150ms, 1), c(10ms, 150ms, 2);
  const auto h = hosts(20);
  int differ = 0;
  for (size_t i = 1; i < h.size(); ++i) {
    EXPECT_EQ(a.between(h[0], h[i]), b.between(h[0], h[i]));
    differ += a.between(h[0], h[i]) != c.between(h[0], h[i]);
  }
  EXPECT_GT(differ, 15);
}

}  // namespace
}  // namespace shoal::sim
