// The chunker's cutting rule, on made-up unit times: keyframe alignment, the
// 2x-target fallback, gapless numbering and durations.
#include "media/chunker.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using namespace std::chrono_literals;
using D = Chunker::Decision;

// Feeds video frames every 40 ms (25 fps), keyframes where `key(i)` says,
// one byte of "TS" per frame; returns the finished chunks.
std::vector<Chunk> chunk_video(int frames, const std::function<bool(int)>& key,
                               std::chrono::microseconds target = 500ms) {
  Chunker c(target);
  std::vector<Chunk> out;
  for (int i = 0; i < frames; ++i) {
    const std::chrono::microseconds t = 40ms * i;
    const D d = c.classify(t, true, key(i));
    if (d == D::kDrop) continue;
    if (d == D::kCut) {
      if (auto done = c.cut(t, key(i), WallTime{} + std::chrono::milliseconds(t.count() / 1000))) {
        out.push_back(std::move(*done));
      }
    }
    const uint8_t byte = static_cast<uint8_t>(i);
    c.append(std::span(&byte, 1));
  }
  if (auto last = c.finish(40ms * frames)) out.push_back(std::move(*last));
  return out;
}

TEST(Chunker, CutsAtTheFirstKeyframeAfterTheTarget) {
  // Keyframes every 8 frames (320 ms): the first at or after 500 ms is at 640 ms.
  const auto chunks = chunk_video(48, [](int i) { return i % 8 == 0; });
  ASSERT_EQ(chunks.size(), 3u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c.duration_ms, 640u);
    EXPECT_TRUE(c.random_access());
    EXPECT_EQ(c.payload.size(), 16u);
    EXPECT_EQ(c.payload[0] % 8, 0);  // starts with a keyframe
  }
}

TEST(Chunker, CutsAtTwiceTheTargetWithoutAKeyframe) {
  const auto chunks = chunk_video(60, [](int i) { return i == 0; });
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].duration_ms, 1000u);
  EXPECT_TRUE(chunks[0].random_access());
  EXPECT_FALSE(chunks[1].random_access());
}

TEST(Chunker, NumbersChunksWithoutGaps) {
  const auto chunks = chunk_video(200, [](int i) { return i % 5 == 0; });
  for (size_t i = 0; i < chunks.size(); ++i) EXPECT_EQ(chunks[i].seq, ChunkSeq(i));
}

TEST(Chunker, DurationIsTheDistanceToTheNextChunk) {
  const auto chunks = chunk_video(100, [](int i) { return i % 13 == 0; });  // 520 ms GOPs
  ASSERT_GE(chunks.size(), 2u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].pts_us + chunks[i].duration_ms * 1000, chunks[i + 1].pts_us);
    EXPECT_EQ(chunks[i].duration_ms, 520u);
  }
  EXPECT_EQ(chunks.back().pts_us + chunks.back().duration_ms * 1000, 4'000'000);
}

TEST(Chunker, DropsUnitsBeforeTheFirstKeyframe) {
  const auto chunks = chunk_video(40, [](int i) { return i == 5 || i == 20; });
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].pts_us, 200'000);
  EXPECT_EQ(chunks[0].payload[0], 5);
}

TEST(Chunker, AudioFollowsTheCurrentChunk) {
  Chunker c(500ms);
  EXPECT_EQ(c.classify(0ms, false, true), D::kDrop);  // nothing started yet
  ASSERT_EQ(c.classify(0ms, true, true), D::kCut);
  c.cut(0ms, true, WallTime{});
  EXPECT_EQ(c.classify(900ms, false, true), D::kAppend);  // audio never cuts with video present
}

}  // namespace
}  // namespace shoal
