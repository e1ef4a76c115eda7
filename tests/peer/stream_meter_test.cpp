// Following the stream's rate: measured or announced, and the upload
// capacity a limit gives at that rate.
#include "peer/stream_meter.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

Chunk chunk(size_t bytes, uint32_t ms) {
  Chunk c;
  c.payload.assign(bytes, 0);
  c.duration_ms = ms;
  return c;
}

TEST(StreamMeter, MeasuresTheRateAndMeanChunkOverWhatItHolds) {
  StreamMeter m;
  EXPECT_FALSE(m.rate());
  EXPECT_EQ(m.measured_rate(), 0u);
  EXPECT_EQ(m.mean_chunk_bytes(), 0);
  m.add(chunk(60'000, 500));
  m.add(chunk(100'000, 500));
  EXPECT_EQ(m.rate(), 160'000.0);
  EXPECT_EQ(m.measured_rate(), 160'000u);
  EXPECT_EQ(m.mean_chunk_bytes(), 80'000);
}

TEST(StreamMeter, TheSourcesWordGoesBeforeWhatWasMeasured) {
  StreamMeter m;
  m.announce(0);  // unknown: ignored
  EXPECT_FALSE(m.rate());
  m.announce(150'000);
  EXPECT_EQ(m.rate(), 150'000.0);
  m.add(chunk(100'000, 500));
  EXPECT_EQ(m.rate(), 150'000.0);
  EXPECT_EQ(m.measured_rate(), 200'000u);
}

TEST(UploadCapacity, NoLimitAndAFixedOneIgnoreTheStream) {
  UploadCapacity none(UploadLimit{});
  UploadCapacity fixed(UploadLimit{.bytes_per_second = 50'000});
  EXPECT_FALSE(none.follow(160'000));
  EXPECT_FALSE(fixed.follow(160'000));
  EXPECT_EQ(none.value(), std::nullopt);
  EXPECT_EQ(fixed.value(), 50'000.0);
}

TEST(UploadCapacity, ARelativeLimitAllowsNothingUntilTheRateIsKnown) {
  UploadCapacity c(UploadLimit{.stream_multiple = 1.5});
  EXPECT_EQ(c.value(), 0.0);
  EXPECT_FALSE(c.follow(std::nullopt));
  EXPECT_TRUE(c.follow(160'000));
  EXPECT_EQ(c.value(), 240'000.0);
}

TEST(UploadCapacity, ARelativeLimitMovesOnlyWhenTheRateMovesByATenth) {
  UploadCapacity c(UploadLimit{.stream_multiple = 2});
  c.follow(100'000);
  EXPECT_FALSE(c.follow(109'000));
  EXPECT_EQ(c.value(), 200'000.0);
  EXPECT_TRUE(c.follow(111'000));
  EXPECT_EQ(c.value(), 222'000.0);
  EXPECT_TRUE(c.follow(90'000));
  EXPECT_EQ(c.value(), 180'000.0);
}

}  // namespace
}  // namespace shoal
