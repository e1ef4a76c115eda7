// The source's history: a second's load from the running totals, the
// newest hour kept, and its JSON a column per field.
#include "source/source_history.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(SourceHistory, EachSecondIsTheDifferenceFromTheTotalsBefore) {
  SourceHistory h;
  h.record(1, 0, 0, 0);
  h.record(2, 3, 1000, 2500);
  h.record(3, 4, 1600, 6500);
  ASSERT_EQ(h.seconds().size(), 3u);
  EXPECT_EQ(h.seconds()[1].end_s, 2);
  EXPECT_EQ(h.seconds()[1].viewers, 3u);
  EXPECT_EQ(h.seconds()[1].bytes_uploaded, 1000u);
  EXPECT_EQ(h.seconds()[1].bytes_delivered, 2500u);
  EXPECT_EQ(h.seconds()[2].bytes_uploaded, 600u);
  EXPECT_EQ(h.seconds()[2].bytes_delivered, 4000u);
}

TEST(SourceHistory, KeepsTheNewestHour) {
  SourceHistory h;
  for (int64_t s = 1; s <= 4000; ++s) h.record(s, 1, static_cast<uint64_t>(s) * 10, 0);
  ASSERT_EQ(h.seconds().size(), SourceHistory::kMaxSeconds);
  EXPECT_EQ(h.seconds().front().end_s, 4000 - 3600 + 1);
  EXPECT_EQ(h.seconds().back().end_s, 4000);
  EXPECT_EQ(h.seconds().front().bytes_uploaded, 10u);
}

TEST(SourceHistory, JsonHasAColumnPerFieldOldestFirst) {
  SourceHistory h;
  EXPECT_EQ(h.to_json(), nlohmann::json::parse(R"({"end_s": [], "viewers": [],
      "bytes_uploaded": [], "bytes_delivered": []})"));
  h.record(1, 2, 100, 300);
  h.record(2, 5, 150, 700);
  EXPECT_EQ(h.to_json(), nlohmann::json::parse(R"({"end_s": [1, 2], "viewers": [2, 5],
      "bytes_uploaded": [100, 50], "bytes_delivered": [300, 400]})"));
}

}  // namespace
}  // namespace shoal
