// Stats JSON to Prometheus text: every number and boolean a gauge, nothing
// else, in a form every sample line of which a scraper parses.
#include "http/prometheus.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(Prometheus, EveryNumberAndBooleanIsAGaugeAndNothingElseIsThere) {
  const nlohmann::json stats = {{"continuity", 0.995},
                                {"chunks_due", 120},
                                {"lag_ms", -5},
                                {"decoding", true},
                                {"startup_ms", nullptr},
                                {"listen", "127.0.0.1:7001"},
                                {"played_seqs", {{1, 2}}}};
  EXPECT_EQ(prometheus_text(stats, "shoal_peer"),
            "# TYPE shoal_peer_chunks_due gauge\nshoal_peer_chunks_due 120\n"
            "# TYPE shoal_peer_continuity gauge\nshoal_peer_continuity 0.995\n"
            "# TYPE shoal_peer_decoding gauge\nshoal_peer_decoding 1\n"
            "# TYPE shoal_peer_lag_ms gauge\nshoal_peer_lag_ms -5\n");
}

}  // namespace
}  // namespace shoal
