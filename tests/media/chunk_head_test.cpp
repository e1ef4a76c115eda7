// A chunk's head and pieces: the payload cut into a multiple of kStripes
// pieces of about kPieceTarget, a head whose signature covers every piece's
// digest, so each piece can be checked alone and the chunk rebuilt from its
// head and pieces.
#include "media/chunk_head.h"

#include <gtest/gtest.h>

#include "media/chunk_signature.h"

namespace shoal {
namespace {

Chunk sample(size_t bytes) {
  Chunk c;
  c.seq = ChunkSeq(7);
  c.capture_time = WallTime(std::chrono::milliseconds(1'800'000'000'000));
  c.duration_ms = 500;
  c.flags = Chunk::kRandomAccess;
  for (size_t i = 0; i < bytes; ++i) c.payload.push_back(static_cast<uint8_t>(i * 31));
  return c;
}

TEST(ChunkHead, ThePayloadIsCutIntoEqualPiecesAMultipleOfTheStripes) {
  EXPECT_EQ(piece_count(0), kStripes);
  EXPECT_EQ(piece_count(kStripes * kPieceTarget), kStripes);
  EXPECT_EQ(piece_count(kStripes * kPieceTarget + 1), 2 * kStripes);
  const Chunk c = sample(80'000);  // 500 ms of a 1.28 Mbit/s stream
  ASSERT_EQ(piece_count(c.payload.size()), 3 * kStripes);
  const size_t size = piece_bytes(c.payload.size());
  EXPECT_EQ(size, 6667u);
  EXPECT_EQ(piece_of(c.payload, 0).size(), size);
  EXPECT_EQ(piece_of(c.payload, 11).size(), 80'000 - 11 * size);
  EXPECT_EQ(piece_of(c.payload, 2).data(), c.payload.data() + 2 * size);
  EXPECT_TRUE(piece_of(c.payload, 12).empty());
  EXPECT_EQ(stripe_of(5), 1u);
}

TEST(ChunkHead, TheSignedHeadOfAChunkVerifiesAndEachPieceMatchesItsDigest) {
  const auto key = ChannelKey::generate();
  Chunk c = sample(3 * kPieceTarget - 5);
  key.sign(c);
  const ChunkHead head = head_of(c);
  ASSERT_TRUE(head.well_formed());
  EXPECT_TRUE(verify_head(key.channel(), head));
  ASSERT_EQ(head.pieces.size(), kStripes);
  for (size_t i = 0; i < kStripes; ++i) EXPECT_EQ(piece_digest(piece_of(c.payload, i)), head.pieces[i]);
  EXPECT_FALSE(verify_head(ChannelKey::generate().channel(), head));
}

TEST(ChunkHead, ChangingAnyDigestOrFieldBreaksTheHeadsSignature) {
  const auto key = ChannelKey::generate();
  Chunk c = sample(2 * kPieceTarget);
  key.sign(c);
  ChunkHead digest = head_of(c), size = digest, flags = digest, missing = digest;
  digest.pieces[1][0] ^= 1;
  size.size -= 1;
  flags.flags = 0;
  missing.pieces.pop_back();
  for (const ChunkHead* h : {&digest, &size, &flags, &missing})
    EXPECT_FALSE(verify_head(key.channel(), *h));
}

TEST(ChunkHead, AChunkRebuiltFromItsHeadAndPayloadIsTheChunk) {
  const auto key = ChannelKey::generate();
  Chunk c = sample(kPieceTarget + 7);
  key.sign(c);
  const Chunk back = chunk_of(head_of(c), c.payload);
  EXPECT_TRUE(verify_chunk(key.channel(), back));
  EXPECT_EQ(back.payload, c.payload);
  EXPECT_EQ(back.capture_time, c.capture_time);
}

}  // namespace
}  // namespace shoal
