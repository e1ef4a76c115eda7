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

TEST(SendQueue, PiecesWaitForTokensLikeChunksAndOnlyTheLastOfARequestCompletesIt) {
  SendQueue q;
  for (uint32_t i = 0; i < 2; ++i) {
    q.push({std::make_shared<const Message>(PieceMsg{
                .seq = ChunkSeq(1), .index = i, .count = 2, .repair = true, .ends_request = i == 1}),
            500});
  }
  EXPECT_FALSE(q.start_write());
  EXPECT_EQ(q.wants_tokens()->bytes, 500u);
  q.granted();
  ASSERT_TRUE(q.start_write());
  EXPECT_FALSE(q.written());
  q.granted();
  ASSERT_TRUE(q.start_write());
  EXPECT_TRUE(q.written());
}

TEST(SendQueue, APushedPieceOvertakesARepairWaitingForTokens) {
  SendQueue q;
  q.push({std::make_shared<const Message>(
              PieceMsg{.seq = ChunkSeq(1), .index = 0, .count = 4, .repair = true}),
          700});
  EXPECT_EQ(q.wants_tokens()->bytes, 700u);
  q.waiting(9);
  EXPECT_EQ(q.push({std::make_shared<const Message>(PieceMsg{.seq = ChunkSeq(2), .count = 4}), 600}),
            9u);  // the repair's wait is cancelled
  const auto ask = q.wants_tokens();
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->bytes, 600u);
  EXPECT_TRUE(ask->urgent);
  q.waiting(10);
  q.granted();
  const auto first = q.start_write();
  ASSERT_TRUE(first);
  EXPECT_EQ(std::get<PieceMsg>(*first->msg).seq, ChunkSeq(2));
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
  EXPECT_EQ(q.wants_tokens()->bytes, 1001u);
  q.waiting(7);
  EXPECT_FALSE(q.wants_tokens());  // already waiting
  q.granted();
  EXPECT_FALSE(q.wants_tokens());  // has them
  EXPECT_EQ(seq_of(*q.start_write()), 1u);
  // The next chunk asks while this one is being written.
  EXPECT_EQ(q.wants_tokens()->bytes, 1002u);
  EXPECT_EQ(q.queued_chunks(), 1u);
}

TEST(SendQueue, DroppingChunksKeepsControlFramesAndHandsBackTheWait) {
  SendQueue q;
  q.push(chunk(1));
  q.push(control(2));
  q.push(chunk(3));
  q.waiting(7);
  EXPECT_EQ(q.drop_chunks(), 7u);
  EXPECT_EQ(q.queued_chunks(), 0u);
  EXPECT_FALSE(q.wants_tokens());
  EXPECT_EQ(seq_of(*q.start_write()), 2u);
  q.written();
  EXPECT_TRUE(q.idle());
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
