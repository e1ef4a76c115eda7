#include "media/chunk_signature.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace shoal {
namespace {

Chunk sample() {
  Chunk c;
  c.seq = ChunkSeq(7);
  c.capture_time = WallTime(std::chrono::milliseconds(1'800'000'000'000));
  c.duration_ms = 500;
  c.flags = Chunk::kRandomAccess;
  c.payload.assign(188 * 4, 0x47);
  return c;
}

TEST(ChunkSignature, VerifiesWhatItSigned) {
  const auto key = ChannelKey::generate();
  Chunk c = sample();
  key.sign(c);
  EXPECT_TRUE(verify_chunk(key.channel(), c));
}

TEST(ChunkSignature, RejectsAFlippedPayloadByte) {
  const auto key = ChannelKey::generate();
  Chunk c = sample();
  key.sign(c);
  c.payload[300] ^= 0x01;
  EXPECT_FALSE(verify_chunk(key.channel(), c));
}

TEST(ChunkSignature, RejectsAChunkSignedByAnotherKey) {
  const auto key = ChannelKey::generate(), other = ChannelKey::generate();
  Chunk c = sample();
  other.sign(c);
  EXPECT_FALSE(verify_chunk(key.channel(), c));
}

TEST(ChunkSignature, CoversEveryHeaderField) {
  const auto key = ChannelKey::generate();
  Chunk signed_chunk = sample();
  key.sign(signed_chunk);
  for (int field = 0; field < 5; ++field) {
    Chunk c = signed_chunk;
    switch (field) {
      case 0:
        c.seq = c.seq.next();
        break;
      case 1:
        c.capture_time += std::chrono::milliseconds(1);
        break;
      case 2:
        c.pts_us += 1;
        break;
      case 3:
        c.duration_ms += 1;
        break;
      case 4:
        c.flags ^= Chunk::kRandomAccess;
        break;
    }
    EXPECT_FALSE(verify_chunk(key.channel(), c)) << "field " << field;
  }
}

TEST(ChannelKey, LoadOrCreateKeepsTheSameChannel) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("shoal-key-" + std::to_string(::getpid())) / "source.key";
  auto first = ChannelKey::load_or_create(path);
  ASSERT_TRUE(first) << first.error();
  auto again = ChannelKey::load_or_create(path);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(first->channel(), again->channel());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  std::filesystem::remove_all(path.parent_path());
}

TEST(ChannelKey, AFileThatIsNotAKeyIsAClearError) {
  const auto path =
      std::filesystem::temp_directory_path() / ("shoal-badkey-" + std::to_string(::getpid()));
  { std::ofstream(path) << "hello"; }
  auto key = ChannelKey::load_or_create(path);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().find("not a Shoal key"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(ChannelId, HexRoundTrips) {
  const auto key = ChannelKey::generate();
  EXPECT_EQ(channel_from_hex(to_hex(key.channel())), key.channel());
  EXPECT_FALSE(channel_from_hex("xyz"));
}

}  // namespace
}  // namespace shoal
