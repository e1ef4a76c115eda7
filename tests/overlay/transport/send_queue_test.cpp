// A connection's send queue: control first, chunks once granted, one write
// at a time.
#include "overlay/transport/send_queue.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

Frame control(uint64_t seq) {
  return {std::make_shared<const Message>(HaveMsg{{ChunkSeq(seq)}, {}}), 20};
}

Frame chunk(uint64_t seq) {
  auto c = std::make_shared<Chunk>();
  c->seq = ChunkSeq(seq);
  ChunkMsg m{std::move(c)};
  return {std::make_shared<const Message>(m), 1000 + seq};
}

uint64_t seq_of(const Frame& f) {
  if (const auto* c = std::get_if<ChunkMsg>(f.msg.get())) return c->chunk->seq.value;
  return std::get<HaveMsg>(*f.msg).seqs.at(0).value;
}

TEST(SendQueue, ControlFramesOvertakeChunksAndGoInOrder) {
  SendQueue q;
  q.push(chunk(1));
  q.push(control(2));
  q.push(control(3));
  q.granted();
  auto f = q.start_write();
  ASSERT_TRUE(f);
  EXPECT_EQ(seq_of(*f), 2u);
  EXPECT_FALSE(q.written());
  EXPECT_EQ(seq_of(*q.start_write()), 3u);
  q.written();
  EXPECT_EQ(seq_of(*q.start_write()), 1u);
  EXPECT_TRUE(q.written());
  EXPECT_TRUE(q.idle());
}

TEST(SendQueue, PiecesWaitForTokensLikeChunksAndOnlyTheLastCompletesTheChunk) {
  SendQueue q;
  for (uint32_t i = 0; i < 2; ++i) {
    q.push({std::make_shared<const Message>(PieceMsg{.seq = ChunkSeq(1), .index = i, .count = 2}),
            500});
  }
  EXPECT_FALSE(q.start_write());
  EXPECT_EQ(q.wants_tokens(), 500u);
  q.granted();
  ASSERT_TRUE(q.start_write());
  EXPECT_FALSE(q.written());
  q.granted();
  ASSERT_TRUE(q.start_write());
  EXPECT_TRUE(q.written());
}

TEST(SendQueue, OneWriteAtATime) {
  SendQueue q;
  q.push(control(1));
  q.push(control(2));
  ASSERT_TRUE(q.start_write());
  EXPECT_FALSE(q.start_write());
  EXPECT_FALSE(q.idle());
  q.written();
  EXPECT_TRUE(q.start_write());
}

TEST(SendQueue, AChunkAsksForItsTokensOnceAndGoesOnlyWhenGranted) {
  SendQueue q;
  q.push(chunk(1));
  q.push(chunk(2));
  EXPECT_FALSE(q.start_write());
  EXPECT_EQ(q.wants_tokens(), 1001u);
  q.waiting(7);
  EXPECT_FALSE(q.wants_tokens());  // already waiting
  q.granted();
  EXPECT_FALSE(q.wants_tokens());  // has them
  EXPECT_EQ(seq_of(*q.start_write()), 1u);
  // The next chunk asks while this one is being written.
  EXPECT_EQ(q.wants_tokens(), 1002u);
  EXPECT_EQ(q.queued_chunks(), 1u);
}

TEST(SendQueue, ClearingHandsBackTheWaitToCancel) {
  SendQueue q;
  q.push(chunk(1));
  q.push(control(2));
  q.waiting(7);
  EXPECT_EQ(q.clear(), 7u);
  EXPECT_TRUE(q.idle());
  EXPECT_EQ(q.clear(), 0u);
}

}  // namespace
}  // namespace shoal
