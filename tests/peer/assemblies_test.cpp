// Assemblies: a pushed chunk is rebuilt from its head and its pieces, each
// checked against the head before it is kept; a forged piece is caught, and
// a push whose pieces stop is given up.
#include "peer/assemblies.h"

#include <gtest/gtest.h>

#include "overlay/wire/push_messages.h"
#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const ConnId kFrom(1), kOther(2), kTarget(3);

class AssembliesTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  std::shared_ptr<const Chunk> chunk_ = testing::shared_chunk(key_, 4, true, 2 * kPieceBytes + 10);
  std::vector<Message> pushed_ = push_messages(chunk_);  // the head and 3 pieces
  Assemblies assemblies_;

  const ChunkHead& head() const { return std::get<ChunkHeadMsg>(pushed_[0]).head; }
  PieceMsg piece(size_t i) const { return std::get<PieceMsg>(pushed_.at(1 + i)); }
  // The piece as it comes off the wire: its bytes, not the whole chunk.
  PieceMsg decoded(size_t i) const {
    PieceMsg p = piece(i);
    p.bytes.assign(p.data().begin(), p.data().end());
    p.whole.reset();
    return p;
  }
};

TEST_F(AssembliesTest, PiecesOfTheSourcesChunkGiveThatVeryChunk) {
  assemblies_.start(kFrom, head(), {kTarget}, kEpoch);
  EXPECT_TRUE(assemblies_.assembling(ChunkSeq(4)));
  EXPECT_EQ(assemblies_.piece(kFrom, piece(0), kEpoch), Assemblies::Outcome::kept);
  EXPECT_EQ(assemblies_.piece(kFrom, piece(1), kEpoch), Assemblies::Outcome::kept);
  EXPECT_EQ(assemblies_.find(ChunkSeq(4))->targets, std::vector{kTarget});
  EXPECT_EQ(assemblies_.piece(kFrom, piece(2), kEpoch), Assemblies::Outcome::complete);
  EXPECT_EQ(assemblies_.finish(ChunkSeq(4)), chunk_);  // shared, not copied
  EXPECT_FALSE(assemblies_.assembling(ChunkSeq(4)));
}

TEST_F(AssembliesTest, DecodedPiecesAreJoinedIntoAChunkThatVerifies) {
  assemblies_.start(kFrom, head(), {}, kEpoch);
  for (size_t i = 0; i < 3; ++i) assemblies_.piece(kFrom, decoded(i), kEpoch);
  const auto chunk = assemblies_.finish(ChunkSeq(4));
  ASSERT_TRUE(chunk);
  EXPECT_NE(chunk, chunk_);
  EXPECT_EQ(chunk->payload, chunk_->payload);
  EXPECT_TRUE(verify_chunk(key_.channel(), *chunk));
}

TEST_F(AssembliesTest, APieceThatDoesNotMatchItsDigestIsForged) {
  assemblies_.start(kFrom, head(), {}, kEpoch);
  PieceMsg flipped = decoded(0);
  flipped.bytes[5] ^= 1;
  EXPECT_EQ(assemblies_.piece(kFrom, flipped, kEpoch), Assemblies::Outcome::forged);
  PieceMsg short_one = decoded(0);
  short_one.bytes.pop_back();
  EXPECT_EQ(assemblies_.piece(kFrom, short_one, kEpoch), Assemblies::Outcome::forged);
}

TEST_F(AssembliesTest, PiecesFromAnotherNeighbourOrOutOfOrderAreIgnored) {
  assemblies_.start(kFrom, head(), {}, kEpoch);
  EXPECT_EQ(assemblies_.piece(kOther, piece(0), kEpoch), Assemblies::Outcome::ignored);
  EXPECT_EQ(assemblies_.piece(kFrom, piece(1), kEpoch), Assemblies::Outcome::ignored);
  PieceMsg unknown = piece(0);
  unknown.seq = ChunkSeq(5);
  EXPECT_EQ(assemblies_.piece(kFrom, unknown, kEpoch), Assemblies::Outcome::ignored);
}

TEST_F(AssembliesTest, AStalledPushOrOneFromANeighbourThatLeftIsGivenUp) {
  assemblies_.start(kFrom, head(), {kTarget}, kEpoch);
  assemblies_.piece(kFrom, piece(0), kEpoch + 500ms);
  EXPECT_TRUE(assemblies_.expire(kEpoch + 1400ms, 1000ms).empty());
  const auto gone = assemblies_.expire(kEpoch + 1600ms, 1000ms);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].targets, std::vector{kTarget});
  assemblies_.start(kFrom, head(), {}, kEpoch);
  EXPECT_TRUE(assemblies_.forget(kOther).empty());
  EXPECT_EQ(assemblies_.forget(kFrom).size(), 1u);
  EXPECT_FALSE(assemblies_.assembling(ChunkSeq(4)));
}

TEST_F(AssembliesTest, ATargetThatHoldsTheChunkOrLeftGetsNoMorePieces) {
  assemblies_.start(kFrom, head(), {kTarget, kOther}, kEpoch);
  EXPECT_TRUE(assemblies_.drop_target(ChunkSeq(4), kTarget));
  EXPECT_FALSE(assemblies_.drop_target(ChunkSeq(4), kTarget));
  assemblies_.drop_target(kOther);
  EXPECT_TRUE(assemblies_.find(ChunkSeq(4))->targets.empty());
}

}  // namespace
}  // namespace shoal
