// The source greets viewers of its channel only, announces every new chunk,
// and serves requests from its window.
#include "source/source_engine.h"

#include <gtest/gtest.h>

#include "../peer/test_chunks.h"

namespace shoal {
namespace {

using testing::shared_chunk;

class SourceEngineTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  SourceEngine engine_{SourceConfig{key_.channel(), PeerId(0), 4}};

  Actions greet(ConnId conn) {
    engine_.on_connected(conn, Endpoint{"127.0.0.1", 40000});
    return engine_.on_message(conn, Hello{kProtocolVersion, key_.channel(), PeerId(9), 0},
                              testing::kEpoch);
  }
};

TEST_F(SourceEngineTest, AnswersAHelloWithItsBufferMap) {
  engine_.publish(shared_chunk(key_, 0), testing::kEpoch);
  const auto out = greet(ConnId(1));
  ASSERT_EQ(out.size(), 1u);
  const auto& map = std::get<BufferMapMsg>(std::get<SendAction>(out[0]).msg);
  BufferMap m;
  ASSERT_TRUE(m.assign(map));
  EXPECT_TRUE(m.has(ChunkSeq(0)));
  EXPECT_EQ(engine_.viewers(), 1u);
}

TEST_F(SourceEngineTest, RefusesAViewerOfAnotherChannel) {
  engine_.on_connected(ConnId(1), Endpoint{"127.0.0.1", 40001});
  const auto out = engine_.on_message(
      ConnId(1), Hello{kProtocolVersion, testing::test_key(7).channel(), PeerId(9), 0},
      testing::kEpoch);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<DisconnectAction>(out[0]));
}

TEST_F(SourceEngineTest, AnnouncesEachNewChunkToGreetedViewers) {
  greet(ConnId(1));
  engine_.on_connected(ConnId(2), Endpoint{"127.0.0.1", 40002});  // has not said HELLO yet
  const auto out = engine_.publish(shared_chunk(key_, 0), testing::kEpoch);
  ASSERT_EQ(out.size(), 1u);
  const auto& send = std::get<SendAction>(out[0]);
  EXPECT_EQ(send.to, ConnId(1));
  const auto& have = std::get<HaveMsg>(send.msg);
  EXPECT_EQ(have.seqs, std::vector{ChunkSeq(0)});
  EXPECT_EQ(have.random_access, std::vector{ChunkSeq(0)});
}

TEST_F(SourceEngineTest, ServesRequestsFromItsWindowOnly) {
  greet(ConnId(1));
  for (uint64_t s = 0; s < 6; ++s) engine_.publish(shared_chunk(key_, s), testing::kEpoch);
  EXPECT_TRUE(engine_.on_message(ConnId(1), RequestMsg{ChunkSeq(1)}, testing::kEpoch).empty());  // slid out
  const auto out = engine_.on_message(ConnId(1), RequestMsg{ChunkSeq(5)}, testing::kEpoch);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<ChunkMsg>(std::get<SendAction>(out[0]).msg).chunk.seq, ChunkSeq(5));
}

}  // namespace
}  // namespace shoal
