#include "peer/buffer_map.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(BufferMap, RoundTripsThroughItsMessage) {
  BufferMap m;
  m.add(ChunkSeq(100), true);
  m.add(ChunkSeq(103), false);
  m.add(ChunkSeq(111), true);
  BufferMap back;
  ASSERT_TRUE(back.assign(m.to_message(ChunkSeq(100), 12)));
  EXPECT_TRUE(back.has(ChunkSeq(100)));
  EXPECT_TRUE(back.has(ChunkSeq(103)));
  EXPECT_TRUE(back.has(ChunkSeq(111)));
  EXPECT_FALSE(back.has(ChunkSeq(101)));
  EXPECT_EQ(back.newest(), ChunkSeq(111));
  EXPECT_EQ(back.newest_random_access(), ChunkSeq(111));
}

TEST(BufferMap, OnlyTheRequestedWindowIsSent) {
  BufferMap m;
  m.add(ChunkSeq(5), true);
  m.add(ChunkSeq(50), true);
  BufferMap back;
  ASSERT_TRUE(back.assign(m.to_message(ChunkSeq(10), 40)));
  EXPECT_TRUE(back.empty());
}

TEST(BufferMap, MalformedMessagesAreRefused) {
  BufferMap m;
  EXPECT_FALSE(m.assign(BufferMapMsg{ChunkSeq(0), 16, {0xff}, {0xff, 0}}));
  EXPECT_FALSE(m.assign(BufferMapMsg{ChunkSeq(0), BufferMap::kMaxCount + 1, {}, {}}));
}

TEST(BufferMap, HavesAddChunksAndTheirRandomAccessFlags) {
  BufferMap m;
  m.apply(HaveMsg{{ChunkSeq(3), ChunkSeq(4)}, {ChunkSeq(4)}});
  EXPECT_TRUE(m.has(ChunkSeq(3)));
  EXPECT_EQ(m.newest_random_access(), ChunkSeq(4));
}

}  // namespace
}  // namespace shoal
