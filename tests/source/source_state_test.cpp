// The channel's position on disk: what was saved comes back; no file is a
// fresh channel; a file that is not a position is an error, not a reset.
#include "source/source_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace shoal {
namespace {

namespace fs = std::filesystem;

class SourceStateTest : public ::testing::Test {
 protected:
  fs::path dir_ = fs::temp_directory_path() / ("shoal-state-" + std::to_string(::getpid()));
  std::string path_ = state_path_for((dir_ / "source.key").string());
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }
};

TEST_F(SourceStateTest, APositionSavedComesBack) {
  const StreamPosition saved{ChunkSeq(1234), 617'000'000, WallTime(std::chrono::milliseconds(1'796'000'000'000))};
  ASSERT_TRUE(save_position(path_, saved));
  const auto loaded = load_position(path_);
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(*loaded);
  EXPECT_EQ((*loaded)->next_seq, saved.next_seq);
  EXPECT_EQ((*loaded)->media_end_us, saved.media_end_us);
  EXPECT_EQ((*loaded)->at, saved.at);
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

TEST_F(SourceStateTest, NoFileIsAFreshChannel) {
  const auto loaded = load_position(path_);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(*loaded);
}

TEST_F(SourceStateTest, AFileThatIsNotAPositionIsAnError) {
  std::ofstream(path_) << "{\"next_seq\": \"many\"}";
  const auto loaded = load_position(path_);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find(path_), std::string::npos) << loaded.error();
}

TEST_F(SourceStateTest, ThePositionAfterAChunkIsItsEnd) {
  Chunk c;
  c.seq = ChunkSeq(7);
  c.pts_us = 3'500'000;
  c.duration_ms = 500;
  c.capture_time = WallTime(std::chrono::milliseconds(10'000));
  const StreamPosition p = StreamPosition::after(c);
  EXPECT_EQ(p.next_seq, ChunkSeq(8));
  EXPECT_EQ(p.media_end_us, 4'000'000);
  EXPECT_EQ(p.at, WallTime(std::chrono::milliseconds(10'500)));
}

}  // namespace
}  // namespace shoal
