// Assemblies: a chunk is rebuilt from its head and its pieces, which come
// down the stripe trees from several parents, each piece checked against the
// head before it is kept; pieces ahead of their head wait for it, a forged
// piece is caught, and a chunk that arrives whole ends its assembly.
#include "peer/assemblies.h"

#include <gtest/gtest.h>

#include "overlay/wire/push_messages.h"
#include "test_chunks.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using testing::kEpoch;

const ConnId kFrom(1), kOther(2);
constexpr size_t kCount = kStripes;  // a chunk of one piece per stripe

class AssembliesTest : public ::testing::Test {
 protected:
  ChannelKey key_ = testing::test_key();
  std::shared_ptr<const Chunk> chunk_ = testing::shared_chunk(key_, 4, true, 2 * kPieceTarget + 10);
  std::vector<Message> pushed_ = push_messages(chunk_);  // the head and its pieces
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

TEST_F(AssembliesTest, PiecesFromSeveralParentsGiveThatVeryChunk) {
  ASSERT_EQ(pushed_.size(), 1 + kCount);
  ASSERT_TRUE(assemblies_.head(head(), kEpoch));
  EXPECT_TRUE(assemblies_.assembling(ChunkSeq(4)));
  for (size_t i = 0; i + 1 < kCount; ++i)
    EXPECT_EQ(assemblies_.piece(i % 2 ? kFrom : kOther, piece(i), kEpoch),
              Assemblies::Outcome::kept);
  EXPECT_EQ(assemblies_.missing_stripes(ChunkSeq(4)), 1u << (kCount - 1));
  EXPECT_EQ(assemblies_.piece(kFrom, piece(kCount - 1), kEpoch), Assemblies::Outcome::complete);
  EXPECT_EQ(assemblies_.finish(ChunkSeq(4)), chunk_);  // shared, not copied
  EXPECT_FALSE(assemblies_.assembling(ChunkSeq(4)));
}

TEST_F(AssembliesTest, DecodedPiecesAreJoinedIntoAChunkThatVerifies) {
  assemblies_.head(head(), kEpoch);
  for (size_t i = 0; i < kCount; ++i) assemblies_.piece(kFrom, decoded(i), kEpoch);
  const auto chunk = assemblies_.finish(ChunkSeq(4));
  ASSERT_TRUE(chunk);
  EXPECT_NE(chunk, chunk_);
  EXPECT_EQ(chunk->payload, chunk_->payload);
  EXPECT_TRUE(verify_chunk(key_.channel(), *chunk));
}

TEST_F(AssembliesTest, APieceThatDoesNotMatchItsDigestIsForged) {
  assemblies_.head(head(), kEpoch);
  PieceMsg flipped = decoded(0);
  flipped.bytes[5] ^= 1;
  EXPECT_EQ(assemblies_.piece(kFrom, flipped, kEpoch), Assemblies::Outcome::forged);
  PieceMsg short_one = decoded(0);
  short_one.bytes.pop_back();
  EXPECT_EQ(assemblies_.piece(kFrom, short_one, kEpoch), Assemblies::Outcome::forged);
}

TEST_F(AssembliesTest, ACopyOfAPieceHeldIsCheckedAgainstIt) {
  assemblies_.head(head(), kEpoch);
  ASSERT_EQ(assemblies_.piece(kFrom, piece(0), kEpoch), Assemblies::Outcome::kept);
  EXPECT_EQ(assemblies_.piece(kOther, decoded(0), kEpoch), Assemblies::Outcome::ignored);
  PieceMsg flipped = decoded(0);
  flipped.bytes[5] ^= 1;
  EXPECT_EQ(assemblies_.piece(kOther, flipped, kEpoch), Assemblies::Outcome::forged);
}

TEST_F(AssembliesTest, PiecesAheadOfTheirHeadWaitForItAndAreThenChecked) {
  EXPECT_EQ(assemblies_.piece(kFrom, piece(0), kEpoch), Assemblies::Outcome::early);
  PieceMsg flipped = decoded(1);
  flipped.bytes[0] ^= 1;
  EXPECT_EQ(assemblies_.piece(kOther, flipped, kEpoch), Assemblies::Outcome::early);
  EXPECT_EQ(assemblies_.missing_stripes(ChunkSeq(4)), 0u);  // no head: the whole chunk
  const auto early = assemblies_.head(head(), kEpoch);
  ASSERT_TRUE(early);
  ASSERT_EQ(early->size(), 2u);
  EXPECT_EQ(assemblies_.piece((*early)[0].from, (*early)[0].piece, kEpoch),
            Assemblies::Outcome::kept);
  EXPECT_EQ(assemblies_.piece((*early)[1].from, (*early)[1].piece, kEpoch),
            Assemblies::Outcome::forged);
  EXPECT_FALSE(assemblies_.head(head(), kEpoch));  // known already
}

TEST_F(AssembliesTest, WaitingPiecesAreBoundedInBytes) {
  Assemblies small(piece(0).data().size());
  EXPECT_EQ(small.piece(kFrom, piece(0), kEpoch), Assemblies::Outcome::early);
  EXPECT_EQ(small.piece(kFrom, piece(1), kEpoch), Assemblies::Outcome::ignored);
  small.drop_before(ChunkSeq(5));
  EXPECT_EQ(small.piece(kFrom, piece(1), kEpoch), Assemblies::Outcome::early);
}

TEST_F(AssembliesTest, AChunkThatCameWholeEndsItsAssemblyAndSaysWhatHadCome) {
  assemblies_.head(head(), kEpoch);
  assemblies_.piece(kFrom, piece(1), kEpoch);
  const Assemblies::Taken taken = assemblies_.take(ChunkSeq(4));
  EXPECT_TRUE(taken.had_head);
  EXPECT_EQ(taken.held, (std::vector<bool>{false, true, false, false}));
  EXPECT_FALSE(assemblies_.assembling(ChunkSeq(4)));
}

TEST_F(AssembliesTest, AChunkThatCameWholeBeforeItsHeadGivesThePiecesThatWaited) {
  ASSERT_EQ(assemblies_.piece(kOther, decoded(2), kEpoch), Assemblies::Outcome::early);
  const Assemblies::Taken taken = assemblies_.take(ChunkSeq(4));
  EXPECT_FALSE(taken.had_head);
  ASSERT_EQ(taken.early.size(), 1u);
  EXPECT_EQ(taken.early[0].from, kOther);
  EXPECT_EQ(taken.early[0].piece.index, 2u);
}

TEST_F(AssembliesTest, SoFarGivesTheHeadAndThePiecesHeldOfTheStripesAsked) {
  assemblies_.head(head(), kEpoch);
  assemblies_.piece(kFrom, piece(0), kEpoch);
  assemblies_.piece(kFrom, piece(2), kEpoch);
  const std::vector<Message> out = assemblies_.so_far(ChunkSeq(4), 0b0011);  // stripes 0, 1
  ASSERT_EQ(out.size(), 2u);  // the head, piece 0; piece 1 has not come, piece 2 not asked
  EXPECT_EQ(std::get<ChunkHeadMsg>(out[0]).head.seq, ChunkSeq(4));
  const auto& p = std::get<PieceMsg>(out[1]);
  EXPECT_EQ(p.index, 0u);
  EXPECT_FALSE(p.repair);  // pushed, down the trees' lane
  EXPECT_TRUE(assemblies_.so_far(ChunkSeq(5), kAllStripes).empty());
}

}  // namespace
}  // namespace shoal
